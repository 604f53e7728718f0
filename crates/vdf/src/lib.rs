//! Class-group Wesolowski VDF (2048-bit), byte-exact with the Quilibrium reference.

//! BLS48-581 signatures, aggregation and KZG commitments, byte-exact with the Quilibrium reference.

//! Class-group Wesolowski VDF (2048-bit), byte-exact with the Quilibrium reference.
//! GMP through hand-written bindings (gmp.rs); FLINT only for the Lehmer partial xgcd.
pub mod discriminant;
pub mod fermat;
pub mod form;
pub mod gmp;
pub mod reference;
pub mod wesolowski;

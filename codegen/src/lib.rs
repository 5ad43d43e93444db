pub mod diag;
pub mod xml;
pub mod ir;
pub mod edmx;
pub mod summary;
pub mod docs;
pub mod emit;

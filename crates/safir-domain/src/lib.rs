//! Pure domain types and rules shared by every context: validated values, ids,
//! missions, roles and permissions. No I/O here; parse at the edge, trust inside.

pub mod accounts;
pub mod audit;
pub mod consular;
pub mod country;
pub mod crisis;
pub mod ids;
pub mod lang;
pub mod mission;
pub mod roles;
mod validation;

pub use country::CountryCode;
pub use lang::{Lang, Localized};
pub use validation::{FieldErrors, ValidationError, ascii_number, iso_date, trim_blank};

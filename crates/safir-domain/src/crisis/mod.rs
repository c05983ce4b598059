//! Citizens abroad and crisis response: where people are, the areas alerts target, CAP 1.2
//! alerts, safety check-ins and PFIF interchange. Pure rules; storage and delivery live in
//! `safir-store` and `safir-web`.

pub mod alert;
pub mod cap;
pub mod checkin;
pub mod geo;
pub mod pfif;
pub mod registration;
mod xml;

pub use xml::escape as escape_xml;

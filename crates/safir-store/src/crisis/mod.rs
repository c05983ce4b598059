//! Storage for citizens abroad and crisis response: registrations and places, travel-advice
//! subscriptions, crises, alerts and their audience, deliveries and check-ins.

pub mod alerts;
pub mod audience;
pub mod checkins;
pub mod crises;
pub mod deliveries;
pub mod registrations;
pub mod subscriptions;
pub mod webhooks;

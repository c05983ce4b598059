//! Citizens abroad and crisis response on the web: registrations and the crisis presence form,
//! travel-advice subscriptions, crises and CAP alerts, delivery, safety check-ins and the
//! welfare board.

pub mod alerts;
pub mod board;
pub mod checkin;
pub mod delivery;
pub mod registrations;
pub mod subscriptions;

use crate::auth::Routes;

pub fn routes(r: Routes) -> Routes {
    let r = registrations::routes(r);
    let r = subscriptions::routes(r);
    let r = alerts::routes(r);
    let r = delivery::routes(r);
    let r = checkin::routes(r);
    board::routes(r)
}

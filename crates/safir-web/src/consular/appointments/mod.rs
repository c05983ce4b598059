//! Consular appointments on the web: staff keep each mission's schedule and see the day's
//! bookings; applicants book, move and cancel slots; confirmations carry a calendar file
//! and a reminder goes out the day before.

mod book;
pub(crate) mod day;
pub mod ics;
pub mod labels;
pub(crate) mod mine;
pub mod notify;
mod schedule;
pub(crate) mod schedule_form;
pub mod service;

use axum::http::Method;
use axum::routing::{get, post};
use safir_domain::roles::Permission;

pub use notify::{REMINDER_JOB, ReminderJob};

use crate::auth::{Access, Routes};

/// Who opens a mission's appointments of the day (names and addresses).
pub const DAY_ACCESS: Access = Access::Mission(Permission::ViewPersonalData);
/// Who keeps a mission's appointment schedule.
pub const SCHEDULE_ACCESS: Access = Access::Mission(Permission::ManageConsularServices);

pub fn routes(r: Routes) -> Routes {
    let manage = SCHEDULE_ACCESS;
    r.add(
        Method::GET,
        "/appointments",
        Access::Public,
        get(book::list_missions),
    )
    .add(
        Method::GET,
        "/missions/{mission}/appointments/book",
        Access::SignedIn,
        get(book::show_slots),
    )
    .add(
        Method::POST,
        "/missions/{mission}/appointments/book",
        Access::SignedIn,
        post(book::submit_booking),
    )
    .add(
        Method::GET,
        "/account/appointments",
        Access::SignedIn,
        get(mine::list_my_appointments),
    )
    .add(
        Method::GET,
        "/account/appointments/{id}/reschedule",
        Access::SignedIn,
        get(mine::show_reschedule),
    )
    .add(
        Method::POST,
        "/account/appointments/{id}/reschedule",
        Access::SignedIn,
        post(mine::submit_reschedule),
    )
    .add(
        Method::POST,
        "/account/appointments/{id}/cancel",
        Access::SignedIn,
        post(mine::cancel_appointment),
    )
    .add(
        Method::GET,
        "/missions/{mission}/appointments",
        DAY_ACCESS,
        get(day::list_day_bookings),
    )
    .add(
        Method::POST,
        "/missions/{mission}/appointments/{id}/cancel",
        SCHEDULE_ACCESS,
        post(day::staff_cancel),
    )
    .add(
        Method::GET,
        "/missions/{mission}/appointments/schedule",
        manage,
        get(schedule::show_schedule),
    )
    .add(
        Method::POST,
        "/missions/{mission}/appointments/schedule/rules",
        manage,
        post(schedule::add_rule),
    )
    .add(
        Method::POST,
        "/missions/{mission}/appointments/schedule/rules/{id}/remove",
        manage,
        post(schedule::remove_rule),
    )
    .add(
        Method::POST,
        "/missions/{mission}/appointments/schedule/closures",
        manage,
        post(schedule::add_closure),
    )
    .add(
        Method::POST,
        "/missions/{mission}/appointments/schedule/closures/{id}/remove",
        manage,
        post(schedule::remove_closure),
    )
}

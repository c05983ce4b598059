//! `GET /missions/{mission}/dashboard`: the mission's card, its staff and a list of panels.
//! Each context adds its own panel (consular queues, crises, …) to `panels`.

use askama::Template;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Html;
use safir_domain::audit::actions;
use safir_domain::roles::{Permission, Target};
use safir_store::accounts::directory;
use safir_store::jobs;
use safir_store::missions::Mission;

use super::labels;
use crate::admin::support::Actor;
use crate::auth::{CurrentUser, MissionParam, Viewer};
use crate::consular::appointments::{DAY_ACCESS, SCHEDULE_ACCESS};
use crate::consular::catalogue_admin::EDITOR_ACCESS;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::page::{Page, render};
use crate::state::AppState;

/// The mission's identity and contacts, in the page language.
struct MissionCard {
    code: String,
    name: String,
    /// The name in the other interface language.
    other_name: String,
    kind: String,
    country: String,
    city: String,
    languages: String,
    time_zone: String,
    email: Option<String>,
    phone: Option<String>,
    address: Option<String>,
}

/// One person on the mission's staff with all their roles there.
struct StaffMember {
    name: String,
    email: String,
    roles: Vec<String>,
    disabled: bool,
}

/// A titled group of counters, with an optional link to where they can be acted on.
struct Panel {
    id: &'static str,
    title: String,
    counters: Vec<Counter>,
    /// Where the panel leads: address and words, as many as the user may open.
    links: Vec<(String, String)>,
}

struct Counter {
    label: String,
    value: i64,
    /// The list the count is of, when the viewer may open it.
    href: Option<String>,
}

#[derive(Template)]
#[template(path = "staff/dashboard.html")]
struct DashboardPage {
    page: Page,
    card: MissionCard,
    staff: Vec<StaffMember>,
    panels: Vec<Panel>,
}

fn card(lang: Lang, m: &Mission) -> MissionCard {
    let content = labels::content_lang(lang);
    let other = labels::content_lang(lang.other());
    MissionCard {
        code: m.code.clone(),
        name: m.name(content).to_owned(),
        other_name: m.name(other).to_owned(),
        kind: labels::mission_kind(lang, &m.kind),
        country: labels::country(lang, &m.country),
        city: m.city(content).to_owned(),
        languages: labels::content_languages(lang, &m.languages),
        time_zone: m.time_zone.clone(),
        email: m.email.clone(),
        phone: m.phone.clone(),
        address: m.address.clone(),
    }
}

fn group_staff(lang: Lang, rows: &[directory::MissionStaff]) -> Vec<StaffMember> {
    let mut out: Vec<(&str, StaffMember)> = Vec::new();
    for row in rows {
        let role = labels::role(lang, &row.role);
        match out.iter_mut().find(|(id, _)| *id == row.user_id) {
            Some((_, member)) => member.roles.push(role),
            None => out.push((
                &row.user_id,
                StaffMember {
                    name: row.display_name.clone(),
                    email: row.email.clone(),
                    roles: vec![role],
                    disabled: row.disabled,
                },
            )),
        }
    }
    out.into_iter().map(|(_, m)| m).collect()
}

async fn panels(
    state: &AppState,
    page: &Page,
    user: &CurrentUser,
    mission: &Mission,
    staff: &[StaffMember],
) -> Result<Vec<Panel>, AppError> {
    let mut panels = vec![Panel {
        id: "staff",
        title: page.t("dashboard-panel-staff"),
        counters: vec![Counter {
            label: page.t("dashboard-staff-count"),
            value: staff.iter().filter(|s| !s.disabled).count() as i64,
            href: None,
        }],
        links: Vec::new(),
    }];
    if user.grants.can(
        Permission::ManageConsularCases,
        Target::Mission(&mission.mission_id()),
    ) {
        let counts = crate::consular::officer::case_counts(state, page.lang, mission).await?;
        // Each count leads to the queue showing those cases.
        let queue = format!("/missions/{}/cases", mission.code);
        let mut counters: Vec<Counter> = counts
            .by_state
            .into_iter()
            .map(|(code, label, value)| Counter {
                label,
                value,
                href: Some(format!("{queue}?state={code}")),
            })
            .collect();
        counters.push(Counter {
            label: page.t("dashboard-consular-overdue"),
            value: counts.overdue,
            href: Some(format!("{queue}?breached=1")),
        });
        counters.push(Counter {
            label: page.t("dashboard-consular-new-message"),
            value: counts.awaiting_reply,
            href: Some(format!("{queue}?new_message=1")),
        });
        // The pages of the mission's consular work this user may open, beside the queue:
        // each shown to those its route admits.
        let id = mission.mission_id();
        let code = &mission.code;
        let mut links = vec![(
            format!("/missions/{code}/cases"),
            page.t("dashboard-consular-link"),
        )];
        if DAY_ACCESS.admits(&user.grants, Some(&id)) {
            links.push((
                format!("/missions/{code}/appointments"),
                page.t("appointments-day-title"),
            ));
        }
        if SCHEDULE_ACCESS.admits(&user.grants, Some(&id)) {
            links.push((
                format!("/missions/{code}/appointments/schedule"),
                page.t("appointments-schedule-title"),
            ));
        }
        if EDITOR_ACCESS.admits(&user.grants, Some(&id)) {
            links.push((
                format!("/missions/{code}/services"),
                page.t("catalogue-title"),
            ));
        }
        panels.push(Panel {
            id: "consular",
            title: page.t("dashboard-panel-consular"),
            counters,
            links,
        });
    }
    if crate::admin::JOBS_ACCESS.admits(&user.grants, None) {
        let stats = jobs::stats(&state.db).await.map_err(AppError::internal)?;
        panels.push(Panel {
            id: "jobs",
            title: page.t("dashboard-panel-jobs"),
            counters: vec![
                Counter {
                    label: page.t("jobs-state-queued"),
                    value: stats.queued,
                    href: None,
                },
                Counter {
                    label: page.t("jobs-state-running"),
                    value: stats.running,
                    href: None,
                },
                Counter {
                    label: page.t("jobs-state-dead"),
                    value: stats.dead,
                    href: None,
                },
            ],
            links: vec![("/admin/jobs".to_owned(), page.t("dashboard-jobs-link"))],
        });
    }
    Ok(panels)
}

pub async fn show_dashboard(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    actor: Actor,
    MissionParam(mission): MissionParam,
) -> Result<Html<String>, AppError> {
    let user = actor.user.clone();
    let mut page = state.page(lang, &uri, "dashboard-title", &viewer);
    page.title = format!(
        "{} — {}",
        page.title,
        mission.name(labels::content_lang(lang))
    );
    let rows = crate::auth::cache::mission_staff(&state, &mission.id).await?;
    // The staff list shows people's names, addresses and roles: a read of personal data,
    // recorded like the API's same list before anything is shown.
    let mut ids: Vec<&str> = Vec::new();
    for row in rows.iter() {
        if !ids.contains(&row.user_id.as_str()) {
            ids.push(&row.user_id);
        }
    }
    let record = actor.audit(
        actions::USER_READ,
        "mission_staff",
        Some(&mission.id),
        Some(&mission.id),
        serde_json::json!({ "via": "web", "page": "staff.dashboard", "users": ids }),
    );
    state.audit.record(record).await?;
    let staff = group_staff(lang, &rows);
    let panels = panels(&state, &page, &user, &mission, &staff).await?;
    render(&DashboardPage {
        card: card(lang, &mission),
        page,
        staff,
        panels,
    })
}

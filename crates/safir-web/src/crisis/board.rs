//! The welfare board of a crisis (`/staff/crises/{crisis}/board`): live counts (targeted,
//! delivered, failed, safe, need help, not in the area, no answer) by area and by
//! vulnerability, refreshed by htmx every 5 seconds from `/board/counts`; a filterable list of
//! the people concerned, most vulnerable first; and the exports (`/board.csv`, `/pfif.xml`,
//! `/checkins.geojson`) and the PFIF import.
//!
//! Staff need both ViewPersonalData and ManageCrises at the crisis's mission. Opening the
//! board and every export is recorded in the audit trail; the counts fragment holds no
//! personal data and is not (it is polled every few seconds).

mod interop;

use askama::Template;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{Method, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use safir_domain::audit::{AuditAction, actions};
use safir_domain::crisis::checkin::CheckinStatus;
use safir_domain::ids::MissionId;
use safir_domain::roles::{Permission, Target};
use safir_store::crisis::checkins::{
    self, BoardCounts, BoardCrisis, BoardFilter, BoardRow, BoardSort, StatusCounts, VULNERABILITIES,
};

use crate::admin::support::Actor;
use crate::auth::{Access, Routes, Viewer};
use crate::error::AppError;
use crate::i18n::{Lang, t};
use crate::page::{Page, render};
use crate::state::AppState;

pub fn routes(r: Routes) -> Routes {
    let upload_limit = DefaultBodyLimit::max(r.state().config.upload_body_limit);
    let access = Access::AnyMission(Permission::ViewPersonalData);
    r.add(
        Method::GET,
        "/staff/crises/{crisis}/board",
        access,
        get(board_page),
    )
    .add(
        Method::GET,
        "/staff/crises/{crisis}/board/counts",
        access,
        get(counts_fragment),
    )
    .add(
        Method::GET,
        "/staff/crises/{crisis}/board.csv",
        access,
        get(interop::board_csv),
    )
    .add(
        Method::GET,
        "/staff/crises/{crisis}/pfif.xml",
        access,
        get(interop::pfif_export),
    )
    .add(
        Method::POST,
        "/staff/crises/{crisis}/pfif/import",
        access,
        post(interop::pfif_import).layer(upload_limit),
    )
    .add(
        Method::GET,
        "/staff/crises/{crisis}/checkins.geojson",
        access,
        get(interop::checkins_geojson),
    )
}

/// The crisis, if this staff member may see its board: 404 for no such crisis, 403 without
/// both permissions at its mission.
pub(crate) async fn allowed_crisis(
    state: &AppState,
    actor: &Actor,
    crisis_id: &str,
) -> Result<BoardCrisis, AppError> {
    let crisis = checkins::board_crisis(&state.db, crisis_id)
        .await
        .map_err(AppError::internal)?
        .ok_or(AppError::NotFound)?;
    if may_open(actor, &crisis.mission_id) {
        Ok(crisis)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Whether this staff member may open the boards of the mission's crises (both permissions at
/// the mission); the crisis page links to the board on the same rule.
pub(crate) fn may_open(actor: &Actor, mission_id: &str) -> bool {
    let mission = MissionId::from_trusted(mission_id.to_owned());
    let grants = &actor.user.grants;
    grants.can(Permission::ViewPersonalData, Target::Mission(&mission))
        && grants.can(Permission::ManageCrises, Target::Mission(&mission))
}

/// Records a read or export of the board's personal data, through the group commit of reads
/// (`audit_log::AuditWriter`): committed before the data is shown.
pub(crate) async fn record(
    state: &AppState,
    actor: &Actor,
    action: AuditAction,
    crisis: &BoardCrisis,
    summary: serde_json::Value,
) -> Result<(), AppError> {
    let record = actor.audit(
        action,
        "crisis",
        Some(&crisis.id),
        Some(&crisis.mission_id),
        summary,
    );
    state.audit.record(record).await?;
    Ok(())
}

pub(crate) fn crisis_title(lang: Lang, c: &BoardCrisis) -> String {
    match lang {
        Lang::Ar => c.title_ar.clone(),
        Lang::En => c.title_en.clone(),
    }
}

/// The answer filter's value for people whose emergency case no officer has acknowledged yet.
const UNACKNOWLEDGED: &str = "unacknowledged";

/// The board's list filters, from the query string.
#[derive(Debug, Clone, Default)]
pub(crate) struct Params {
    pub status: String,
    pub region: String,
    pub vulnerable: bool,
    pub q: String,
    pub sort: String,
    pub after: String,
}

impl Params {
    pub fn parse(raw: Option<&str>) -> Params {
        let mut p = Params::default();
        for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            let v = v.trim().to_owned();
            match k.as_ref() {
                "status" => p.status = v,
                "region" => p.region = v,
                "vulnerable" => p.vulnerable = !v.is_empty() && v != "0",
                "q" => p.q = v,
                "sort" => p.sort = v,
                "after" => p.after = v,
                _ => {}
            }
        }
        p
    }

    pub fn filter(&self, limit: i64) -> BoardFilter {
        BoardFilter {
            status: CheckinStatus::parse(&self.status).ok(),
            unacknowledged: self.status == UNACKNOWLEDGED,
            region: (!self.region.is_empty()).then(|| self.region.clone()),
            vulnerable: self.vulnerable,
            q: (!self.q.is_empty()).then(|| self.q.chars().take(100).collect()),
            sort: if self.sort == "name" {
                BoardSort::Name
            } else {
                BoardSort::Vulnerability
            },
            after: (!self.after.is_empty()).then(|| self.after.clone()),
            limit,
        }
    }

    /// The query string of these filters (without the cursor), for links.
    pub fn query(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("status", self.status.as_str()),
            ("region", self.region.as_str()),
            ("q", self.q.as_str()),
            ("sort", self.sort.as_str()),
        ] {
            if !v.is_empty() {
                out.append_pair(k, v);
            }
        }
        if self.vulnerable {
            out.append_pair("vulnerable", "1");
        }
        out.finish()
    }
}

/// One tile: its label, its number, its css modifier, and the list it counts when the board
/// can show just those people.
pub(crate) struct Tile {
    pub label: String,
    pub value: i64,
    pub class: &'static str,
    pub href: Option<String>,
}

/// One row of a by-area or by-vulnerability table.
pub(crate) struct CountRow {
    pub label: String,
    pub counts: StatusCounts,
}

#[derive(Template)]
#[template(path = "crisis/board/counts.html")]
pub(crate) struct CountsFragment {
    pub page: Page,
    pub counts_url: String,
    pub tiles: Vec<Tile>,
    pub by_region: Vec<CountRow>,
    pub by_vulnerability: Vec<CountRow>,
}

fn counts_view(page: Page, crisis_id: &str, c: &BoardCounts) -> CountsFragment {
    let lang = page.lang;
    let tile = |key: &str, value: i64, class: &'static str| Tile {
        label: t(lang, key),
        value,
        class,
        href: None,
    };
    // A tile of people opens the list of just them (the answer filter's value).
    let people = |key: &str, value: i64, class: &'static str, status: &str| Tile {
        href: Some(format!(
            "/staff/crises/{crisis_id}/board?status={status}#board-list-heading"
        )),
        ..tile(key, value, class)
    };
    let tiles = vec![
        tile("board-tile-targeted", c.targeted, "targeted"),
        tile("board-tile-delivered", c.delivered, "delivered"),
        tile("board-tile-failed", c.failed, "failed"),
        tile("board-tile-not-sent", c.not_sent, "not-sent"),
        people("board-tile-safe", c.people.safe, "safe", "safe"),
        people(
            "board-tile-need-help",
            c.people.need_help,
            "need-help",
            "need_help",
        ),
        people(
            "board-tile-unacknowledged",
            c.unacknowledged,
            "unacknowledged",
            UNACKNOWLEDGED,
        ),
        people(
            "board-tile-not-in-area",
            c.people.not_in_area,
            "not-in-area",
            "not_in_area",
        ),
        people(
            "board-tile-no-answer",
            c.people.waiting,
            "no-answer",
            "waiting",
        ),
    ];
    let by_region = c
        .by_region
        .iter()
        .map(|(region, counts)| CountRow {
            label: if region.is_empty() {
                t(lang, "board-region-unknown")
            } else {
                region.clone()
            },
            counts: *counts,
        })
        .collect();
    let by_vulnerability = VULNERABILITIES
        .iter()
        .map(|v| CountRow {
            label: t(lang, &format!("board-vulnerability-{v}")),
            counts: c.by_vulnerability.get(*v).copied().unwrap_or_default(),
        })
        .collect();
    CountsFragment {
        page,
        counts_url: format!("/staff/crises/{crisis_id}/board/counts"),
        tiles,
        by_region,
        by_vulnerability,
    }
}

/// A person on the list, labelled.
pub(crate) struct ListRow {
    pub row: BoardRow,
    pub status_label: String,
    pub vulnerability: String,
    /// The person's number as a link to dial, from the board on a phone.
    pub phone_href: Option<String>,
    pub case: Option<CaseCell>,
}

/// The emergency case a person's "need help" opened, as the board shows it: its reference,
/// where it stands, and whether an officer has acknowledged it yet.
pub(crate) struct CaseCell {
    pub id: String,
    pub reference: String,
    pub state: String,
    /// Submitted and not yet taken up by an officer.
    pub unacknowledged: bool,
}

impl CaseCell {
    /// `None` when the row has no case, or its case was purged.
    pub fn of(lang: Lang, r: &BoardRow) -> Option<CaseCell> {
        let (id, state) = (r.case_id.as_deref()?, r.case_state.as_deref()?);
        Some(CaseCell {
            id: id.to_owned(),
            reference: r.case_reference.clone().unwrap_or_else(|| id.to_owned()),
            state: crate::consular::labels::state(lang, state),
            unacknowledged: state == "submitted" && r.case_acknowledged_at.is_none(),
        })
    }

    /// Where it stands, in words, for the CSV export.
    pub fn standing(&self, lang: Lang) -> String {
        if self.unacknowledged {
            format!("{} — {}", self.state, t(lang, "board-case-unacknowledged"))
        } else {
            self.state.clone()
        }
    }
}

pub(crate) fn status_label(lang: Lang, status: &str) -> String {
    t(lang, &format!("board-status-{}", status.replace('_', "-")))
}

pub(crate) fn vulnerability_label(lang: Lang, r: &BoardRow) -> String {
    let mut parts = Vec::new();
    if r.medical {
        parts.push(t(lang, "board-vulnerability-medical"));
    }
    if r.elderly {
        parts.push(t(lang, "board-vulnerability-elderly"));
    }
    if r.children > 0 {
        parts.push(format!(
            "{} ({})",
            t(lang, "board-vulnerability-children"),
            r.children
        ));
    }
    parts.join(", ")
}

pub(crate) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "crisis/board/page.html")]
struct BoardPage {
    page: Page,
    csrf_token: String,
    crisis_id: String,
    crisis_title: String,
    mission_code: String,
    /// The counts fragment, rendered (the same markup htmx swaps in).
    counts_html: String,
    rows: Vec<ListRow>,
    statuses: Vec<Choice>,
    regions: Vec<Choice>,
    sorts: Vec<Choice>,
    vulnerable: bool,
    q: String,
    filter_query: String,
    next_href: Option<String>,
    import_error: Option<String>,
    import_done: Option<String>,
    xml: String,
}

const PAGE_SIZE: i64 = 100;

pub(crate) struct BoardExtras {
    pub import_error: Option<String>,
    pub import_done: Option<String>,
    pub xml: String,
}

pub(crate) async fn board_view(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    viewer: &Viewer,
    crisis: &BoardCrisis,
    params: &Params,
    extras: BoardExtras,
) -> Result<axum::response::Html<String>, AppError> {
    let counts = checkins::counts(&state.db, &crisis.id)
        .await
        .map_err(AppError::internal)?;
    let rows = checkins::list(&state.db, &crisis.id, &params.filter(PAGE_SIZE))
        .await
        .map_err(AppError::internal)?;
    let regions = checkins::regions(&state.db, &crisis.id)
        .await
        .map_err(AppError::internal)?;
    let mission_code = safir_store::missions::find(&state.db, &crisis.mission_id)
        .await
        .map_err(AppError::internal)?
        .code;
    let filter_query = params.query();
    let next_href = (rows.len() as i64 == PAGE_SIZE)
        .then(|| rows.last())
        .flatten()
        .map(|last| {
            let sep = if filter_query.is_empty() { "" } else { "&" };
            format!(
                "/staff/crises/{}/board?{filter_query}{sep}after={}",
                crisis.id, last.id
            )
        });
    let mut page = state.page(lang, uri, "board-title", viewer);
    page.title = format!("{} — {}", page.title, crisis_title(lang, crisis));
    let fragment_page = state.page(lang, uri, "board-title", viewer);
    let statuses = std::iter::once(("", t(lang, "board-filter-any")))
        .chain(
            ["waiting", "safe", "need_help", "not_in_area"]
                .into_iter()
                .map(|s| (s, status_label(lang, s))),
        )
        .chain(std::iter::once((
            UNACKNOWLEDGED,
            t(lang, "board-tile-unacknowledged"),
        )))
        .map(|(v, label)| Choice {
            value: v.to_owned(),
            label,
            selected: params.status == v,
        })
        .collect();
    let regions = std::iter::once((String::new(), t(lang, "board-filter-any")))
        .chain(
            regions
                .into_iter()
                .filter(|r| !r.is_empty())
                .map(|r| (r.clone(), r)),
        )
        .map(|(v, label)| Choice {
            selected: params.region == v,
            value: v,
            label,
        })
        .collect();
    let sorts = [
        ("vulnerability", "board-sort-vulnerability"),
        ("name", "board-sort-name"),
    ]
    .into_iter()
    .map(|(v, key)| Choice {
        value: v.to_owned(),
        label: t(lang, key),
        selected: params.sort == v || (params.sort.is_empty() && v == "vulnerability"),
    })
    .collect();
    let rows = rows
        .into_iter()
        .map(|row| ListRow {
            status_label: status_label(lang, &row.status),
            vulnerability: vulnerability_label(lang, &row),
            phone_href: row.phone.as_deref().and_then(crate::page::tel_href),
            case: CaseCell::of(lang, &row),
            row,
        })
        .collect();
    let view = BoardPage {
        csrf_token: state.csrf_token(viewer),
        crisis_id: crisis.id.clone(),
        crisis_title: crisis_title(lang, crisis),
        mission_code,
        counts_html: render(&counts_view(fragment_page, &crisis.id, &counts))?.0,
        rows,
        statuses,
        regions,
        sorts,
        vulnerable: params.vulnerable,
        q: params.q.clone(),
        filter_query,
        next_href,
        import_error: extras.import_error,
        import_done: extras.import_done,
        xml: extras.xml,
        page,
    };
    render(&view)
}

pub async fn board_page(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    actor: Actor,
    Path(crisis_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, AppError> {
    let crisis = allowed_crisis(&state, &actor, &crisis_id).await?;
    let params = Params::parse(raw.as_deref());
    let html = board_view(
        &state,
        lang,
        &uri,
        &viewer,
        &crisis,
        &params,
        BoardExtras {
            import_error: None,
            import_done: None,
            xml: String::new(),
        },
    )
    .await?;
    record(
        &state,
        &actor,
        actions::CRISIS_BOARD_READ,
        &crisis,
        serde_json::json!({ "filters": params.query() }),
    )
    .await?;
    Ok(html.into_response())
}

pub async fn counts_fragment(
    State(state): State<AppState>,
    lang: Lang,
    uri: Uri,
    viewer: Viewer,
    actor: Actor,
    Path(crisis_id): Path<String>,
) -> Result<Response, AppError> {
    let crisis = allowed_crisis(&state, &actor, &crisis_id).await?;
    let counts = checkins::counts(&state.db, &crisis.id)
        .await
        .map_err(AppError::internal)?;
    let page = state.page(lang, &uri, "board-title", &viewer);
    let html = render(&counts_view(page, &crisis.id, &counts))?;
    Ok(([(header::CACHE_CONTROL, "no-store")], html).into_response())
}

//! A consular case and its one state machine. Every application (passport, visa, emergency,
//! emergency travel document) moves through the same states; [`CaseState::apply`] is the only
//! way to get from one to the next, so an illegal transition cannot be expressed.

use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// What the case is about; decides which form it carries and whether it ends with a
/// collection step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    PassportRenewal,
    Visa,
    Emergency,
    EmergencyTravelDocument,
}

impl CaseKind {
    pub const ALL: [CaseKind; 4] = [
        CaseKind::PassportRenewal,
        CaseKind::Visa,
        CaseKind::Emergency,
        CaseKind::EmergencyTravelDocument,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseKind::PassportRenewal => "passport_renewal",
            CaseKind::Visa => "visa",
            CaseKind::Emergency => "emergency",
            CaseKind::EmergencyTravelDocument => "emergency_travel_document",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or(ValidationError::new("case_kind_unknown"))
    }

    /// A document the applicant collects at the mission (or by courier) once approved.
    pub fn has_collection(self) -> bool {
        matches!(
            self,
            CaseKind::PassportRenewal | CaseKind::EmergencyTravelDocument
        )
    }

    /// Cases a citizen (not a foreign applicant) opens.
    pub fn for_citizens(self) -> bool {
        !matches!(self, CaseKind::Visa)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    Draft,
    Submitted,
    InReview,
    NeedsInfo,
    Approved,
    Rejected,
    Withdrawn,
    ReadyForCollection,
    Closed,
}

/// What someone does to a case. Each action belongs to one side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseAction {
    /// Applicant: send the draft to the mission.
    Submit,
    /// Officer: take the case up (for emergencies: acknowledge it).
    StartReview,
    /// Officer: ask the applicant for more information or documents.
    RequestInfo,
    /// Applicant: answer a request for information.
    ProvideInfo,
    /// Officer: decide for the applicant.
    Approve,
    /// Officer: decide against, with a reason code.
    Reject,
    /// Applicant: give up a submitted application before a decision (a draft is simply
    /// discarded).
    Withdraw,
    /// Officer: the document is printed and waits at the mission or with the courier.
    MarkReadyForCollection,
    /// Officer: the file is finished (collected, delivered, or nothing left to do).
    Close,
}

/// Who performs an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    Applicant,
    Officer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("{action:?} is not possible from {from:?}")]
    Illegal { from: CaseState, action: CaseAction },
    #[error("{action:?} is done by the other side")]
    WrongActor { action: CaseAction },
}

impl TransitionError {
    /// The stable code the web layer translates.
    pub fn code(&self) -> &'static str {
        match self {
            TransitionError::Illegal { .. } => "case_transition_illegal",
            TransitionError::WrongActor { .. } => "case_transition_forbidden",
        }
    }
}

impl CaseAction {
    pub const ALL: [CaseAction; 9] = [
        CaseAction::Submit,
        CaseAction::StartReview,
        CaseAction::RequestInfo,
        CaseAction::ProvideInfo,
        CaseAction::Approve,
        CaseAction::Reject,
        CaseAction::Withdraw,
        CaseAction::MarkReadyForCollection,
        CaseAction::Close,
    ];

    pub fn actor(self) -> Actor {
        match self {
            CaseAction::Submit | CaseAction::ProvideInfo | CaseAction::Withdraw => Actor::Applicant,
            _ => Actor::Officer,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CaseAction::Submit => "submit",
            CaseAction::StartReview => "start_review",
            CaseAction::RequestInfo => "request_info",
            CaseAction::ProvideInfo => "provide_info",
            CaseAction::Approve => "approve",
            CaseAction::Reject => "reject",
            CaseAction::Withdraw => "withdraw",
            CaseAction::MarkReadyForCollection => "mark_ready_for_collection",
            CaseAction::Close => "close",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str() == s.trim())
            .ok_or(ValidationError::new("case_action_unknown"))
    }
}

impl CaseState {
    pub const ALL: [CaseState; 9] = [
        CaseState::Draft,
        CaseState::Submitted,
        CaseState::InReview,
        CaseState::NeedsInfo,
        CaseState::Approved,
        CaseState::Rejected,
        CaseState::Withdrawn,
        CaseState::ReadyForCollection,
        CaseState::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::Draft => "draft",
            CaseState::Submitted => "submitted",
            CaseState::InReview => "in_review",
            CaseState::NeedsInfo => "needs_info",
            CaseState::Approved => "approved",
            CaseState::Rejected => "rejected",
            CaseState::Withdrawn => "withdrawn",
            CaseState::ReadyForCollection => "ready_for_collection",
            CaseState::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s.trim())
            .ok_or(ValidationError::new("case_state_unknown"))
    }

    /// Still waiting for someone at the mission to act.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            CaseState::Submitted
                | CaseState::InReview
                | CaseState::NeedsInfo
                | CaseState::Approved
                | CaseState::ReadyForCollection
        )
    }

    /// The service's processing target still runs: the document is not yet ready. A case
    /// ready for collection waits for the applicant, not for the mission, and is never past
    /// its due date.
    pub fn counts_against_due_date(self) -> bool {
        self.is_open() && self != CaseState::ReadyForCollection
    }

    /// The states [`Self::counts_against_due_date`] holds for, as an SQL list.
    pub const DUE_STATES_SQL: &'static str = "('submitted', 'in_review', 'needs_info', 'approved')";

    /// The states [`Self::is_open`] holds for, as an SQL list.
    pub const OPEN_STATES_SQL: &'static str =
        "('submitted', 'in_review', 'needs_info', 'approved', 'ready_for_collection')";

    /// Documents can still be filed under the case: from its draft until the mission decides.
    pub fn takes_documents(self) -> bool {
        matches!(
            self,
            CaseState::Draft | CaseState::Submitted | CaseState::InReview | CaseState::NeedsInfo
        )
    }

    /// The states [`Self::takes_documents`] holds for, as an SQL list.
    pub const DOCUMENT_STATES_SQL: &'static str =
        "('draft', 'submitted', 'in_review', 'needs_info')";

    /// The decision is made (or the applicant gave up); only closing remains.
    pub fn is_decided(self) -> bool {
        matches!(
            self,
            CaseState::Approved
                | CaseState::Rejected
                | CaseState::Withdrawn
                | CaseState::ReadyForCollection
                | CaseState::Closed
        )
    }

    /// The one transition table. `kind` matters only for the collection step.
    pub fn apply(
        self,
        kind: CaseKind,
        action: CaseAction,
        actor: Actor,
    ) -> Result<CaseState, TransitionError> {
        use CaseAction as A;
        use CaseState as S;
        if action.actor() != actor {
            return Err(TransitionError::WrongActor { action });
        }
        let next = match (self, action) {
            (S::Draft, A::Submit) => S::Submitted,
            (S::Submitted, A::StartReview) => S::InReview,
            (S::InReview, A::RequestInfo) => S::NeedsInfo,
            (S::NeedsInfo, A::ProvideInfo) => S::InReview,
            (S::InReview, A::Approve) => S::Approved,
            // A case waiting for information its applicant never sends can be refused: it
            // would otherwise wait, past due, for ever (the applicant alone could move it).
            (S::InReview | S::NeedsInfo, A::Reject) => S::Rejected,
            (S::Submitted | S::InReview | S::NeedsInfo, A::Withdraw) => S::Withdrawn,
            (S::Approved, A::MarkReadyForCollection) if kind.has_collection() => {
                S::ReadyForCollection
            }
            (S::Approved, A::Close) if !kind.has_collection() => S::Closed,
            (S::ReadyForCollection | S::Rejected | S::Withdrawn, A::Close) => S::Closed,
            _ => return Err(TransitionError::Illegal { from: self, action }),
        };
        Ok(next)
    }

    /// The actions `actor` may take from here, in the order a screen offers them.
    pub fn available(self, kind: CaseKind, actor: Actor) -> Vec<CaseAction> {
        CaseAction::ALL
            .into_iter()
            .filter(|a| self.apply(kind, *a, actor).is_ok())
            .collect()
    }
}

/// How urgent a case is; emergencies are triaged, other cases start at `Normal`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Critical,
    High,
    Normal,
    Low,
}

impl Priority {
    pub const ALL: [Priority; 4] = [
        Priority::Critical,
        Priority::High,
        Priority::Normal,
        Priority::Low,
    ];

    /// Stored as a small number so queues sort most urgent first.
    pub fn rank(self) -> i32 {
        match self {
            Priority::Critical => 0,
            Priority::High => 1,
            Priority::Normal => 2,
            Priority::Low => 3,
        }
    }

    pub fn from_rank(rank: i32) -> Priority {
        match rank {
            0 => Priority::Critical,
            1 => Priority::High,
            3 => Priority::Low,
            _ => Priority::Normal,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Critical => "critical",
            Priority::High => "high",
            Priority::Normal => "normal",
            Priority::Low => "low",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == s.trim())
            .ok_or(ValidationError::new("priority_unknown"))
    }
}

/// Why an application was refused; the applicant reads the explanation in their language.
pub const REFUSAL_REASONS: &[&str] = &[
    "documents_incomplete",
    "identity_not_established",
    "purpose_not_justified",
    "insufficient_means",
    "previous_overstay",
    "security_grounds",
    "not_eligible",
    "other",
];

/// The decision reason of an approval (a refusal's is one of [`REFUSAL_REASONS`]).
pub const APPROVED: &str = "approved";

/// The refusal reason that says nothing by itself ("please read the message from the
/// mission"): a refusal for it needs the officer's message.
pub const REASON_NEEDING_A_MESSAGE: &str = "other";

/// A case's human reference: `PAR-2026-000123` (mission code, year, number within the
/// mission and year).
pub fn case_reference(mission_code: &str, year: i32, number: i64) -> String {
    format!("{mission_code}-{year}-{number:06}")
}

/// The year a case submitted (or an e-visa issued) `at` is numbered in: the year on the
/// mission's calendar (its IANA `time_zone`; UTC if the name is unknown). In Tokyo a case sent
/// at 02:00 on 1 January is of the new year, though it is still 31 December in UTC.
pub fn numbering_year(at: chrono::DateTime<chrono::Utc>, time_zone: &str) -> i32 {
    use chrono::Datelike;
    match time_zone.parse::<chrono_tz::Tz>() {
        Ok(tz) => at.with_timezone(&tz).year(),
        Err(_) => at.year(),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn cases_are_numbered_in_the_missions_year() {
        use chrono::TimeZone;
        let eve = chrono::Utc
            .with_ymd_and_hms(2025, 12, 31, 17, 0, 0)
            .unwrap();
        assert_eq!(
            numbering_year(eve, "Asia/Tokyo"),
            2026,
            "02:00 on 1 January there"
        );
        assert_eq!(numbering_year(eve, "America/New_York"), 2025);
        assert_eq!(numbering_year(eve, "UTC"), 2025);
        let new_year = chrono::Utc.with_ymd_and_hms(2026, 1, 1, 2, 0, 0).unwrap();
        assert_eq!(
            numbering_year(new_year, "America/Los_Angeles"),
            2025,
            "still 31 December"
        );
        assert_eq!(numbering_year(new_year, "not a zone"), 2026);
    }

    #[test]
    fn the_due_state_list_is_the_states_that_count_against_it() {
        for state in CaseState::ALL {
            let listed = CaseState::DUE_STATES_SQL.contains(&format!("'{}'", state.as_str()));
            assert_eq!(listed, state.counts_against_due_date(), "{state:?}");
        }
        assert!(!CaseState::ReadyForCollection.counts_against_due_date());
        for (list, holds) in [
            (
                CaseState::OPEN_STATES_SQL,
                CaseState::is_open as fn(CaseState) -> bool,
            ),
            (CaseState::DOCUMENT_STATES_SQL, CaseState::takes_documents),
        ] {
            for state in CaseState::ALL {
                let listed = list.contains(&format!("'{}'", state.as_str()));
                assert_eq!(listed, holds(state), "{list}: {state:?}");
            }
        }
    }

    #[test]
    fn passport_renewal_to_collection() {
        let k = CaseKind::PassportRenewal;
        let mut s = CaseState::Draft;
        for (a, who) in [
            (CaseAction::Submit, Actor::Applicant),
            (CaseAction::StartReview, Actor::Officer),
            (CaseAction::RequestInfo, Actor::Officer),
            (CaseAction::ProvideInfo, Actor::Applicant),
            (CaseAction::Approve, Actor::Officer),
            (CaseAction::MarkReadyForCollection, Actor::Officer),
            (CaseAction::Close, Actor::Officer),
        ] {
            s = s.apply(k, a, who).unwrap();
        }
        assert_eq!(s, CaseState::Closed);
    }

    #[test]
    fn visas_have_no_collection_step() {
        let approved = CaseState::Approved;
        assert!(
            approved
                .apply(
                    CaseKind::Visa,
                    CaseAction::MarkReadyForCollection,
                    Actor::Officer
                )
                .is_err()
        );
        assert_eq!(
            approved.apply(CaseKind::Visa, CaseAction::Close, Actor::Officer),
            Ok(CaseState::Closed)
        );
        assert!(
            approved
                .apply(CaseKind::PassportRenewal, CaseAction::Close, Actor::Officer)
                .is_err()
        );
    }

    #[test]
    fn a_case_waiting_for_information_can_be_refused_but_not_approved() {
        let waiting = CaseState::NeedsInfo;
        assert_eq!(
            waiting.available(CaseKind::Visa, Actor::Officer),
            [CaseAction::Reject]
        );
        assert_eq!(
            waiting.apply(CaseKind::Visa, CaseAction::Reject, Actor::Officer),
            Ok(CaseState::Rejected)
        );
        assert!(
            waiting
                .apply(CaseKind::Visa, CaseAction::Approve, Actor::Officer)
                .is_err()
        );
    }

    #[test]
    fn the_wrong_side_cannot_act() {
        assert_eq!(
            CaseState::InReview.apply(CaseKind::Visa, CaseAction::Approve, Actor::Applicant),
            Err(TransitionError::WrongActor {
                action: CaseAction::Approve
            })
        );
        assert!(
            CaseState::Draft
                .apply(CaseKind::Visa, CaseAction::Submit, Actor::Officer)
                .is_err()
        );
    }

    #[test]
    fn names_round_trip() {
        for s in CaseState::ALL {
            assert_eq!(CaseState::parse(s.as_str()), Ok(s));
        }
        for a in CaseAction::ALL {
            assert_eq!(CaseAction::parse(a.as_str()), Ok(a));
        }
        for k in CaseKind::ALL {
            assert_eq!(CaseKind::parse(k.as_str()), Ok(k));
        }
        for p in Priority::ALL {
            assert_eq!(Priority::from_rank(p.rank()), p);
        }
        assert_eq!(case_reference("PAR", 2026, 123), "PAR-2026-000123");
    }

    fn kind_strategy() -> impl Strategy<Value = CaseKind> {
        prop::sample::select(CaseKind::ALL.to_vec())
    }

    proptest! {
        /// No sequence of actions, legal or not, by either side, reaches an illegal state:
        /// refused actions leave the state unchanged; a decision is only ever reached
        /// through review; a closed case stays closed; only documents with a collection
        /// step are ever ready for collection.
        #[test]
        fn no_sequence_reaches_an_illegal_state(
            kind in kind_strategy(),
            steps in prop::collection::vec((0usize..9, any::<bool>()), 0..60),
        ) {
            let mut state = CaseState::Draft;
            let mut reviewed = false;
            for (i, officer) in steps {
                let action = CaseAction::ALL[i];
                let actor = if officer { Actor::Officer } else { Actor::Applicant };
                // Refused actions leave the state as it was.
                if let Ok(next) = state.apply(kind, action, actor) {
                    prop_assert_eq!(action.actor(), actor);
                    prop_assert_ne!(state, CaseState::Closed);
                    if next == CaseState::InReview { reviewed = true; }
                    if next == CaseState::Approved {
                        prop_assert_eq!(state, CaseState::InReview);
                    }
                    if next == CaseState::Rejected {
                        prop_assert!(matches!(state, CaseState::InReview | CaseState::NeedsInfo));
                        prop_assert!(reviewed);
                    }
                    if next == CaseState::ReadyForCollection {
                        prop_assert!(kind.has_collection());
                        prop_assert!(reviewed);
                    }
                    prop_assert_ne!(next, CaseState::Draft, "nothing leads back to a draft");
                    state = next;
                }
            }
        }

        /// `available` lists exactly the actions `apply` accepts.
        #[test]
        fn available_matches_apply(kind in kind_strategy(), s in 0usize..9, officer in any::<bool>()) {
            let state = CaseState::ALL[s];
            let actor = if officer { Actor::Officer } else { Actor::Applicant };
            for a in CaseAction::ALL {
                prop_assert_eq!(state.available(kind, actor).contains(&a), state.apply(kind, a, actor).is_ok());
            }
        }
    }
}

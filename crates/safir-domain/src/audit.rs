//! Audit actions: what staff did, and which reads of personal data happened.

use serde::{Deserialize, Serialize};

/// A stable action name in the audit trail (`user.create`, `role.grant`, `case.read` …).
/// Kept as a string so new contexts add actions without touching this crate; the dotted
/// `context.verb` shape is checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditAction(&'static str);

impl AuditAction {
    pub const fn new(name: &'static str) -> Self {
        Self(name)
    }

    pub fn as_str(&self) -> &'static str {
        self.0
    }
}

pub mod actions {
    use super::AuditAction;

    pub const USER_CREATE: AuditAction = AuditAction::new("user.create");
    pub const USER_PASSWORD_RESET: AuditAction = AuditAction::new("user.password_reset");
    pub const USER_DISABLE: AuditAction = AuditAction::new("user.disable");
    pub const USER_READ: AuditAction = AuditAction::new("user.read");
    pub const ROLE_GRANT: AuditAction = AuditAction::new("role.grant");
    pub const ROLE_REVOKE: AuditAction = AuditAction::new("role.revoke");
    pub const MISSION_CREATE: AuditAction = AuditAction::new("mission.create");
    pub const MISSION_UPDATE: AuditAction = AuditAction::new("mission.update");
    pub const JOB_RETRY: AuditAction = AuditAction::new("job.retry");
    /// The failed jobs viewed: their payloads name the people messages were for.
    pub const JOB_READ: AuditAction = AuditAction::new("job.read");
    pub const CRISIS_WEBHOOK_CREATE: AuditAction = AuditAction::new("crisis_webhook.create");
    pub const CRISIS_WEBHOOK_DISABLE: AuditAction = AuditAction::new("crisis_webhook.disable");
    pub const AUDIT_EXPORT: AuditAction = AuditAction::new("audit.export");
    /// A page of the trail was read (it names people, their addresses and what they did).
    pub const AUDIT_READ: AuditAction = AuditAction::new("audit.read");
    pub const TOKEN_CREATE: AuditAction = AuditAction::new("token.create");
    pub const TOKEN_REVOKE: AuditAction = AuditAction::new("token.revoke");
    /// Consular staff listed a case queue (applicants' names) or exported it.
    pub const CASE_LIST: AuditAction = AuditAction::new("case.list");
    pub const CASE_EXPORT: AuditAction = AuditAction::new("case.export");
    /// Consular staff opened one case (its form, messages and notes).
    pub const CASE_READ: AuditAction = AuditAction::new("case.read");
    pub const CASE_ASSIGN: AuditAction = AuditAction::new("case.assign");
    pub const CASE_PRIORITY: AuditAction = AuditAction::new("case.priority");
    /// An internal note, never shown to the applicant.
    pub const CASE_NOTE: AuditAction = AuditAction::new("case.note");
    pub const CASE_MESSAGE: AuditAction = AuditAction::new("case.message");
    pub const DOCUMENT_READ: AuditAction = AuditAction::new("document.read");
    pub const EVISA_ISSUE: AuditAction = AuditAction::new("evisa.issue");
    /// A staff member opened an e-visa (its page or its PDF).
    pub const EVISA_READ: AuditAction = AuditAction::new("evisa.read");
    pub const EVISA_REVOKE: AuditAction = AuditAction::new("evisa.revoke");
    /// The e-visa signing key replaced (`safir admin rotate-evisa-key`).
    pub const EVISA_KEY_ROTATE: AuditAction = AuditAction::new("evisa.key_rotate");
    /// Crisis response: a crisis declared or closed, its presence form opened or closed.
    pub const CRISIS_DECLARE: AuditAction = AuditAction::new("crisis.declare");
    pub const CRISIS_CLOSE: AuditAction = AuditAction::new("crisis.close");
    pub const CRISIS_PRESENCE: AuditAction = AuditAction::new("crisis.presence");
    /// Alerts: composed (or imported from CAP), edited, audience counted, submitted,
    /// approved or sent back by a second staff member, withdrawn.
    pub const ALERT_CREATE: AuditAction = AuditAction::new("alert.create");
    pub const ALERT_IMPORT: AuditAction = AuditAction::new("alert.import");
    pub const ALERT_EDIT: AuditAction = AuditAction::new("alert.edit");
    pub const ALERT_PREVIEW: AuditAction = AuditAction::new("alert.preview");
    pub const ALERT_SUBMIT: AuditAction = AuditAction::new("alert.submit");
    pub const ALERT_APPROVE: AuditAction = AuditAction::new("alert.approve");
    pub const ALERT_REJECT: AuditAction = AuditAction::new("alert.reject");
    pub const ALERT_CANCEL: AuditAction = AuditAction::new("alert.cancel");
    // Safety check-ins and the welfare board.
    /// A "need help" answer opened an emergency case.
    pub const CRISIS_CHECKIN_HELP: AuditAction = AuditAction::new("crisis.checkin_help");
    /// A staff member opened a crisis's welfare board (names and answers).
    pub const CRISIS_BOARD_READ: AuditAction = AuditAction::new("crisis.board_read");
    pub const CRISIS_BOARD_EXPORT: AuditAction = AuditAction::new("crisis.board_export");
    pub const CRISIS_PFIF_EXPORT: AuditAction = AuditAction::new("crisis.pfif_export");
    pub const CRISIS_PFIF_IMPORT: AuditAction = AuditAction::new("crisis.pfif_import");
    pub const CRISIS_GEOJSON_EXPORT: AuditAction = AuditAction::new("crisis.geojson_export");
}

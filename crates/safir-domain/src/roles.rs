//! Roles, scopes and permissions: the one place that decides who may do what.
//!
//! A grant gives a role either ministry-wide or for one mission. Handlers ask
//! [`Grants::can`] with a [`Permission`] and the [`Target`] the action touches.

use serde::{Deserialize, Serialize};

use crate::ValidationError;
use crate::ids::MissionId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    HeadOfMission,
    ConsularOfficer,
    PressOfficer,
    Analyst,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// See the mission's staff dashboard.
    ViewDashboard,
    /// Create and edit missions.
    ManageMissions,
    /// Create staff accounts, grant and revoke roles.
    ManageUsers,
    /// Browse and export the audit trail.
    ViewAudit,
    /// See and retry dead jobs.
    ManageJobs,
    /// Read personal data of citizens and applicants (always audited).
    ViewPersonalData,
    /// Work consular cases.
    ManageConsularCases,
    /// Edit the service catalogue and schedules.
    ManageConsularServices,
    /// Draft posts, articles and events.
    Publish,
    /// Approve publication.
    ApprovePublication,
    /// Use the listening and analysis tools.
    Analyze,
    /// Declare crises and compose alerts.
    ManageCrises,
    /// Approve large alerts (the second pair of eyes).
    ApproveAlerts,
}

impl Permission {
    pub const ALL: [Permission; 13] = [
        Permission::ViewDashboard,
        Permission::ManageMissions,
        Permission::ManageUsers,
        Permission::ViewAudit,
        Permission::ManageJobs,
        Permission::ViewPersonalData,
        Permission::ManageConsularCases,
        Permission::ManageConsularServices,
        Permission::Publish,
        Permission::ApprovePublication,
        Permission::Analyze,
        Permission::ManageCrises,
        Permission::ApproveAlerts,
    ];

    /// Ministry-wide permissions can only come from a ministry-wide grant.
    pub fn is_ministry_wide(self) -> bool {
        matches!(
            self,
            Permission::ManageMissions
                | Permission::ManageUsers
                | Permission::ViewAudit
                | Permission::ManageJobs
        )
    }
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::HeadOfMission,
        Role::ConsularOfficer,
        Role::PressOfficer,
        Role::Analyst,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::HeadOfMission => "head_of_mission",
            Role::ConsularOfficer => "consular_officer",
            Role::PressOfficer => "press_officer",
            Role::Analyst => "analyst",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or(ValidationError::new("role_unknown"))
    }

    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Role::Admin => &Permission::ALL,
            Role::HeadOfMission => &[
                ViewDashboard,
                ViewPersonalData,
                ManageConsularCases,
                ManageConsularServices,
                Publish,
                ApprovePublication,
                Analyze,
                ManageCrises,
                ApproveAlerts,
            ],
            Role::ConsularOfficer => &[
                ViewDashboard,
                ViewPersonalData,
                ManageConsularCases,
                ManageCrises,
            ],
            Role::PressOfficer => &[ViewDashboard, Publish, Analyze],
            Role::Analyst => &[ViewDashboard, Analyze],
        }
    }

    pub fn grants(self, permission: Permission) -> bool {
        self.permissions().contains(&permission)
    }

    /// Every staff role handles data about people (cases, alerts, replies, imported social
    /// media), so every staff role must sign in with a second factor.
    pub fn requires_two_factor(self) -> bool {
        true
    }
}

/// Where a grant applies.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Ministry,
    Mission(MissionId),
}

impl Scope {
    /// Storage form: `*` for the ministry, else the mission id.
    pub fn to_storage(&self) -> String {
        match self {
            Scope::Ministry => "*".to_owned(),
            Scope::Mission(id) => id.as_str().to_owned(),
        }
    }

    pub fn from_storage(s: &str) -> Self {
        if s == "*" {
            Scope::Ministry
        } else {
            Scope::Mission(MissionId::from_trusted(s.to_owned()))
        }
    }
}

/// What an action touches.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// Something that belongs to no single mission (missions list, users, audit).
    Ministry,
    /// Something that belongs to one mission.
    Mission(&'a MissionId),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub scope: Scope,
}

/// All grants of one user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grants(pub Vec<Grant>);

impl Grants {
    pub fn is_staff(&self) -> bool {
        !self.0.is_empty()
    }

    pub fn can(&self, permission: Permission, target: Target<'_>) -> bool {
        self.0.iter().any(|g| {
            g.role.grants(permission)
                && match (&g.scope, target) {
                    (Scope::Ministry, _) => true,
                    (Scope::Mission(_), _) if permission.is_ministry_wide() => false,
                    (Scope::Mission(_), Target::Ministry) => false,
                    (Scope::Mission(mine), Target::Mission(m)) => mine == m,
                }
        })
    }

    /// Whether any grant allows the permission somewhere (used to show menu entries).
    pub fn can_anywhere(&self, permission: Permission) -> bool {
        self.0.iter().any(|g| {
            g.role.grants(permission)
                && (matches!(g.scope, Scope::Ministry) || !permission.is_ministry_wide())
        })
    }

    /// Missions the user may act on with this permission; `None` means every mission.
    pub fn missions_for(&self, permission: Permission) -> Option<Vec<MissionId>> {
        let mut out = Vec::new();
        for g in &self.0 {
            if !g.role.grants(permission) {
                continue;
            }
            match &g.scope {
                Scope::Ministry => return None,
                Scope::Mission(m) if !permission.is_ministry_wide() => out.push(m.clone()),
                Scope::Mission(_) => {}
            }
        }
        out.sort();
        out.dedup();
        Some(out)
    }

    pub fn requires_two_factor(&self) -> bool {
        self.0.iter().any(|g| g.role.requires_two_factor())
    }
}

/// What a personal access token may be used for. A scope opens routes; the owner's grants
/// still decide what those routes show, so a token never reaches more than its owner does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TokenScope {
    /// The account and the staff routes that only read.
    #[serde(rename = "read")]
    Read,
    /// The account and the staff routes that change something.
    #[serde(rename = "write")]
    Write,
    /// The owner's own consular cases, read.
    #[serde(rename = "cases:read")]
    CasesRead,
    /// The owner's own consular cases: apply, answer, withdraw.
    #[serde(rename = "cases:write")]
    CasesWrite,
    /// The case queues of the missions where the owner works consular cases, read.
    #[serde(rename = "consular:read")]
    ConsularRead,
    /// Acting on those cases: decisions, assignments, notes.
    #[serde(rename = "consular:write")]
    ConsularWrite,
}

impl TokenScope {
    pub const ALL: [TokenScope; 6] = [
        TokenScope::Read,
        TokenScope::Write,
        TokenScope::CasesRead,
        TokenScope::CasesWrite,
        TokenScope::ConsularRead,
        TokenScope::ConsularWrite,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::Write => "write",
            TokenScope::CasesRead => "cases:read",
            TokenScope::CasesWrite => "cases:write",
            TokenScope::ConsularRead => "consular:read",
            TokenScope::ConsularWrite => "consular:write",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == s.trim())
            .ok_or(ValidationError::new("token_scope_unknown"))
    }

    /// The permission the owner must hold somewhere for the scope to be worth granting.
    pub fn needs(self) -> Option<Permission> {
        match self {
            TokenScope::ConsularRead | TokenScope::ConsularWrite => {
                Some(Permission::ManageConsularCases)
            }
            _ => None,
        }
    }

    /// Whether `grants` may put this scope on a token.
    pub fn available_to(self, grants: &Grants) -> bool {
        self.needs().is_none_or(|p| grants.can_anywhere(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn grant(role: Role, scope: Scope) -> Grants {
        Grants(vec![Grant { role, scope }])
    }

    #[test]
    fn mission_grants_stop_at_their_mission() {
        let paris = MissionId::new();
        let dubai = MissionId::new();
        let officer = grant(Role::ConsularOfficer, Scope::Mission(paris.clone()));
        assert!(officer.can(Permission::ManageConsularCases, Target::Mission(&paris)));
        assert!(!officer.can(Permission::ManageConsularCases, Target::Mission(&dubai)));
        assert!(!officer.can(Permission::Publish, Target::Mission(&paris)));
        assert!(!officer.can(Permission::ViewAudit, Target::Ministry));
    }

    #[test]
    fn an_admin_scoped_to_a_mission_cannot_act_ministry_wide() {
        let paris = MissionId::new();
        let local_admin = grant(Role::Admin, Scope::Mission(paris.clone()));
        assert!(!local_admin.can(Permission::ManageUsers, Target::Ministry));
        assert!(!local_admin.can(Permission::ManageUsers, Target::Mission(&paris)));
        assert!(local_admin.can(Permission::ManageConsularCases, Target::Mission(&paris)));
        let admin = grant(Role::Admin, Scope::Ministry);
        assert!(admin.can(Permission::ManageUsers, Target::Ministry));
        assert_eq!(admin.missions_for(Permission::Analyze), None);
    }

    #[test]
    fn public_users_can_do_nothing_staff_can() {
        let public = Grants::default();
        let m = MissionId::new();
        for p in Permission::ALL {
            assert!(!public.can(p, Target::Ministry));
            assert!(!public.can(p, Target::Mission(&m)));
        }
        assert!(!public.requires_two_factor());
    }

    #[test]
    fn officer_scopes_need_an_officer() {
        for t in TokenScope::ALL {
            assert_eq!(TokenScope::parse(t.as_str()), Ok(t));
        }
        assert!(TokenScope::parse("admin").is_err());
        let public = Grants::default();
        assert!(TokenScope::CasesWrite.available_to(&public));
        assert!(!TokenScope::ConsularRead.available_to(&public));
        let press = grant(Role::PressOfficer, Scope::Mission(MissionId::new()));
        assert!(!TokenScope::ConsularWrite.available_to(&press));
        let officer = grant(Role::ConsularOfficer, Scope::Mission(MissionId::new()));
        assert!(TokenScope::ConsularWrite.available_to(&officer));
    }

    proptest! {
        #[test]
        fn a_mission_grant_never_reaches_another_mission(role_idx in 0usize..5, perm_idx in 0usize..13) {
            let role = Role::ALL[role_idx];
            let perm = Permission::ALL[perm_idx];
            let mine = MissionId::new();
            let other = MissionId::new();
            let g = grant(role, Scope::Mission(mine.clone()));
            prop_assert!(!g.can(perm, Target::Mission(&other)));
            prop_assert!(!g.can(perm, Target::Ministry));
            prop_assert_eq!(g.can(perm, Target::Mission(&mine)), role.grants(perm) && !perm.is_ministry_wide());
        }
    }
}

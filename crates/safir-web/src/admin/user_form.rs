//! The staff-account form and the grant form: parsing what the admin chose into domain
//! types, and their views with typed values and per-field messages.

use safir_domain::ValidationError;
use safir_domain::accounts::{DisplayName, Email};
use safir_domain::ids::MissionId;
use safir_domain::roles::{Role, Scope};
use safir_store::missions::Mission;

use super::support::{FormData, SelectOption, error_summary, field_error};
use crate::error::FieldErrors;
use crate::forms::{Field, InputKind};
use crate::i18n::Lang;
use crate::staff::labels;

/// The value of the "whole ministry" scope option.
pub const MINISTRY_SCOPE: &str = "*";

/// A role and where it applies, as chosen in a form.
#[derive(Debug, Clone, Default)]
pub struct GrantChoice {
    pub role: String,
    /// `*` or a mission id.
    pub scope: String,
}

impl GrantChoice {
    pub fn from_data(d: &FormData) -> GrantChoice {
        GrantChoice {
            role: d.get("role").trim().to_owned(),
            scope: d.get("scope").trim().to_owned(),
        }
    }

    pub fn parse(&self, missions: &[Mission], errors: &mut FieldErrors) -> Option<(Role, Scope)> {
        let role = Role::parse(&self.role)
            .map_err(|e| errors.add(field_error("role", &e, 0)))
            .ok();
        let scope = if self.scope == MINISTRY_SCOPE {
            Some(Scope::Ministry)
        } else if missions.iter().any(|m| m.id == self.scope) {
            Some(Scope::Mission(MissionId::from_trusted(self.scope.clone())))
        } else {
            errors.add(field_error(
                "scope",
                &ValidationError::new("scope_unknown"),
                0,
            ));
            None
        };
        Some((role?, scope?))
    }
}

/// The role and scope selects of a grant form.
pub struct GrantFormView {
    pub roles: Vec<SelectOption>,
    pub role_error: Option<String>,
    pub scopes: Vec<SelectOption>,
    pub scope_error: Option<String>,
}

impl GrantFormView {
    pub fn new(
        lang: Lang,
        choice: &GrantChoice,
        missions: &[Mission],
        errors: &FieldErrors,
    ) -> GrantFormView {
        let content = labels::content_lang(lang);
        let mut scopes = vec![SelectOption {
            value: MINISTRY_SCOPE.to_owned(),
            label: crate::i18n::t(lang, "admin-scope-ministry"),
            selected: choice.scope == MINISTRY_SCOPE,
        }];
        scopes.extend(missions.iter().map(|m| SelectOption {
            value: m.id.clone(),
            label: format!("{} ({})", m.name(content), m.code),
            selected: choice.scope == m.id,
        }));
        GrantFormView {
            roles: Role::ALL
                .iter()
                .map(|r| SelectOption {
                    value: r.as_str().to_owned(),
                    label: labels::role(lang, r.as_str()),
                    selected: choice.role == r.as_str(),
                })
                .collect(),
            role_error: errors.for_field("role").map(|e| e.message(lang)),
            scopes,
            scope_error: errors.for_field("scope").map(|e| e.message(lang)),
        }
    }
}

/// A new staff account as typed.
#[derive(Debug, Clone, Default)]
pub struct NewStaffForm {
    pub name: String,
    pub email: String,
    pub language: String,
    pub grant: GrantChoice,
    /// The form's own key (see [`FormData::request_key`]).
    pub request_key: String,
}

/// A validated new staff account.
pub struct NewStaff {
    pub name: DisplayName,
    pub email: Email,
    pub language: safir_domain::Lang,
    pub role: Role,
    pub scope: Scope,
}

impl NewStaffForm {
    pub fn from_data(d: &FormData) -> NewStaffForm {
        NewStaffForm {
            name: d.get("name").to_owned(),
            email: d.get("email").to_owned(),
            language: d.get("language").trim().to_owned(),
            grant: GrantChoice::from_data(d),
            request_key: d.request_key_or_new(),
        }
    }

    pub fn validate(&self, missions: &[Mission]) -> Result<NewStaff, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = DisplayName::parse(&self.name)
            .map_err(|e| errors.add(field_error("name", &e, 120)))
            .ok();
        let email = Email::parse(&self.email)
            .map_err(|e| errors.add(field_error("email", &e, 0)))
            .ok();
        let language = match self.language.as_str() {
            "ar" => Some(safir_domain::Lang::Ar),
            "en" => Some(safir_domain::Lang::En),
            _ => {
                errors.add(field_error(
                    "language",
                    &ValidationError::new("language_unknown"),
                    0,
                ));
                None
            }
        };
        let grant = self.grant.parse(missions, &mut errors);
        match (name, email, language, grant) {
            (Some(name), Some(email), Some(language), Some((role, scope))) => Ok(NewStaff {
                name,
                email,
                language,
                role,
                scope,
            }),
            _ => Err(errors),
        }
    }
}

pub struct NewStaffView {
    pub name: Field,
    pub email: Field,
    pub languages: Vec<SelectOption>,
    pub language_error: Option<String>,
    pub grant: GrantFormView,
    pub error_summary: Option<String>,
    pub request_key: String,
}

impl NewStaffView {
    pub fn new(
        lang: Lang,
        form: &NewStaffForm,
        missions: &[Mission],
        errors: &FieldErrors,
    ) -> NewStaffView {
        NewStaffView {
            name: Field::new(lang, "name", "user-field-name")
                .value(&form.name)
                .required()
                .autocomplete("off")
                .errors_from(lang, errors),
            email: Field::new(lang, "email", "user-field-email")
                .kind(InputKind::Email)
                .value(&form.email)
                .required()
                .autocomplete("off")
                .errors_from(lang, errors),
            languages: ["ar", "en"]
                .iter()
                .map(|code| SelectOption {
                    value: (*code).to_owned(),
                    label: labels::content_language(lang, code),
                    selected: form.language == *code,
                })
                .collect(),
            language_error: errors.for_field("language").map(|e| e.message(lang)),
            grant: GrantFormView::new(lang, &form.grant, missions, errors),
            error_summary: error_summary(lang, errors),
            request_key: form.request_key.clone(),
        }
    }
}

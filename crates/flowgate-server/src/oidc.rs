//! OpenID Connect login (`[server.oidc]`): the authorization-code flow with PKCE, `state` and
//! `nonce`, against a provider found through its discovery document.
//!
//! The `openidconnect` crate builds the requests and verifies the ID token (signature against
//! the provider's JWKS, issuer, audience, expiry, nonce); HTTP goes through the server's own
//! `ureq` client, which follows no redirects and reads at most 1 MiB of an answer. The PKCE
//! verifier and the nonce are derived from a random secret that only the browser holds (in an
//! HttpOnly cookie), so the database (which keeps hashes of the `state` and of that secret)
//! holds nothing a login can be finished with.

use flowgate_diagnostics::{Diagnostic, SourceText, Span};
use flowgate_load::{OidcSection, Workspace, CONFIG_FILE};
use flowgate_release::Policy;
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreIdTokenClaims, CoreProviderMetadata,
};
use openidconnect::{
    AccessToken, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EmptyAdditionalClaims,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, HttpRequest, HttpResponse, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, StandardClaims,
    TokenResponse, UserInfoClaims,
};
use std::time::Duration;

/// The configuration code of a bad `[server.oidc]` (shared with the rest of the server's).
const CODE: &str = "FG015";
/// The largest answer read from the provider.
const MAX_ANSWER: u64 = 1 << 20;

/// The claim of the ID token (or of the userinfo answer) that names the flowgate person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// `email`, matched without regard to case against `[people.<id>] email`; the provider
    /// must say it verified the address (`email_verified: true`).
    Email,
    /// `preferred_username`, matched exactly against the person's id.
    PreferredUsername,
    /// `sub`, matched exactly against the person's id.
    Subject,
}

impl Claim {
    const ALL: [(&'static str, Self); 3] = [
        ("email", Self::Email),
        ("preferred_username", Self::PreferredUsername),
        ("sub", Self::Subject),
    ];

    /// Its name in `claim = "…"`.
    pub fn as_str(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, c)| *c == self)
            .map_or("email", |(name, _)| name)
    }
}

/// `[server.oidc]`, validated, its client secret read from the environment.
#[derive(Clone)]
pub struct Settings {
    issuer: String,
    client_id: String,
    client_secret: String,
    /// The provider's name on the login page.
    pub name: String,
    scopes: Vec<String>,
    /// The claim that names the person.
    pub claim: Claim,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("name", &self.name)
            .field("scopes", &self.scopes)
            .field("claim", &self.claim)
            .finish_non_exhaustive()
    }
}

impl Settings {
    /// Settings for a provider at `issuer` (tests build these without a workspace).
    pub fn new(issuer: &str, client_id: &str, client_secret: &str, claim: Claim) -> Self {
        Self {
            issuer: issuer.to_owned(),
            client_id: client_id.to_owned(),
            client_secret: client_secret.to_owned(),
            name: default_name(issuer),
            scopes: default_scopes(),
            claim,
        }
    }
}

fn default_scopes() -> Vec<String> {
    vec!["email".to_owned(), "profile".to_owned()]
}

/// The issuer's host, when `name` is not given.
fn default_name(issuer: &str) -> String {
    openidconnect::url::Url::parse(issuer)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "OpenID Connect".to_owned())
}

/// A problem at `value`'s place in `flowgate.toml`.
fn located(
    value: &toml::Spanned<String>,
    source: &SourceText,
    message: String,
    help: &str,
) -> Box<Diagnostic> {
    let span = value.span();
    Box::new(
        Diagnostic::error(CODE, message)
            .at(source, Span::new(span.start, span.end))
            .with_help(help),
    )
}

type Checked<T> = Result<T, Box<Diagnostic>>;

/// An `https://` issuer, or `http://` on a loopback host (a provider run on this machine).
fn issuer(value: &toml::Spanned<String>, source: &SourceText) -> Checked<String> {
    let text = value.get_ref().clone();
    let ok = openidconnect::url::Url::parse(&text).ok().is_some_and(|u| {
        u.scheme() == "https"
            || (u.scheme() == "http"
                && matches!(u.host_str(), Some("localhost" | "127.0.0.1" | "[::1]")))
    });
    if ok {
        return Ok(text);
    }
    Err(located(
        value,
        source,
        format!("`issuer = \"{text}\"` is not an https:// URL"),
        "give the provider's issuer, e.g. `https://accounts.google.com` (http only on localhost)",
    ))
}

/// The client secret from `env:NAME`; a secret written into `flowgate.toml` is refused.
fn client_secret(value: &toml::Spanned<String>, source: &SourceText) -> Checked<String> {
    let Some(name) = value.get_ref().strip_prefix("env:") else {
        let problem = located(
            value,
            source,
            "`client_secret` must name an environment variable, not hold the secret".to_owned(),
            "write `client_secret = \"env:FLOWGATE_OIDC_SECRET\"` and set that variable",
        );
        return Err(Box::new((*problem).with_secret(value.get_ref().clone())));
    };
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            located(
                value,
                source,
                format!("`client_secret` names the variable {name}, which is not set"),
                &format!("set {name} in the server's environment"),
            )
        })
}

fn claim(value: Option<&toml::Spanned<String>>, source: &SourceText) -> Checked<Claim> {
    let Some(value) = value else {
        return Ok(Claim::Email);
    };
    Claim::ALL
        .iter()
        .find(|(name, _)| *name == value.get_ref())
        .map(|(_, claim)| *claim)
        .ok_or_else(|| {
            located(
                value,
                source,
                format!("no claim `{}` to map to a person", value.get_ref()),
                "claim is `email` (matched against [people] email), `preferred_username` or \
                 `sub` (matched against the person's id)",
            )
        })
}

fn scopes(
    values: Option<&Vec<toml::Spanned<String>>>,
    source: &SourceText,
) -> Checked<Vec<String>> {
    let Some(values) = values else {
        return Ok(default_scopes());
    };
    let mut out = Vec::new();
    for value in values {
        let scope = value.get_ref();
        if scope.is_empty() || scope.contains(|c: char| c.is_whitespace() || c == '"') {
            return Err(located(
                value,
                source,
                format!("`{scope}` is not a scope"),
                "one scope per string: `scopes = [\"email\", \"profile\"]`",
            ));
        }
        if scope != "openid" && !out.contains(scope) {
            out.push(scope.clone());
        }
    }
    Ok(out)
}

fn settings_of(section: &OidcSection, source: &SourceText) -> Result<Settings, Vec<Diagnostic>> {
    let issuer = issuer(&section.issuer, source);
    let secret = client_secret(&section.client_secret, source);
    let claim = claim(section.claim.as_ref(), source);
    let scopes = scopes(section.scopes.as_ref(), source);
    match (issuer, secret, claim, scopes) {
        (Ok(issuer), Ok(client_secret), Ok(claim), Ok(scopes)) => Ok(Settings {
            name: section
                .name
                .as_ref()
                .map_or_else(|| default_name(&issuer), |n| n.get_ref().clone()),
            issuer,
            client_id: section.client_id.get_ref().clone(),
            client_secret,
            scopes,
            claim,
        }),
        (issuer, secret, claim, scopes) => {
            Err([issuer.err(), secret.err(), claim.err(), scopes.err()]
                .into_iter()
                .flatten()
                .map(|problem| *problem)
                .collect())
        }
    }
}

/// `[server.oidc]` of `flowgate.toml` (`None` when absent), or every problem, located.
pub fn settings(workspace: &Workspace) -> Result<Option<Settings>, Vec<Diagnostic>> {
    let Some(section) = workspace
        .config
        .server
        .as_ref()
        .and_then(|s| s.oidc.as_ref())
    else {
        return Ok(None);
    };
    let source = SourceText::new(CONFIG_FILE, workspace.config_text.as_str());
    settings_of(section, &source).map(Some)
}

/// Why a login through the provider failed.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// The provider could not be reached or answered nonsense (502).
    #[error("the sign-in provider did not answer as expected: {0}")]
    Unavailable(String),
    /// The provider refused the code, or its ID token did not verify (403).
    #[error("the sign-in provider's answer was refused: {0}")]
    Refused(String),
}

/// What the provider says about who logged in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    /// `sub`.
    pub subject: String,
    /// `email`, if given.
    pub email: Option<String>,
    /// `email_verified`.
    pub email_verified: bool,
    /// `preferred_username`, if given.
    pub username: Option<String>,
}

impl Identity {
    fn from_standard(claims: &StandardClaims<CoreGenderClaim>) -> Self {
        Self {
            subject: claims.subject().to_string(),
            email: claims.email().map(|e| e.to_string()),
            email_verified: claims.email_verified().unwrap_or(false),
            username: claims.preferred_username().map(|u| u.to_string()),
        }
    }

    fn from_id_token(claims: &CoreIdTokenClaims) -> Self {
        Self {
            subject: claims.subject().to_string(),
            email: claims.email().map(|e| e.to_string()),
            email_verified: claims.email_verified().unwrap_or(false),
            username: claims.preferred_username().map(|u| u.to_string()),
        }
    }

    fn has(&self, claim: Claim) -> bool {
        match claim {
            Claim::Email => self.email.is_some(),
            Claim::PreferredUsername => self.username.is_some(),
            Claim::Subject => true,
        }
    }
}

/// The flowgate person `identity` names under `claim`, or why nobody is.
pub fn person(policy: &Policy, claim: Claim, identity: &Identity) -> Result<String, String> {
    let wanted = match claim {
        Claim::Email => return person_by_email(policy, identity),
        Claim::PreferredUsername => identity.username.as_deref(),
        Claim::Subject => Some(identity.subject.as_str()),
    };
    let Some(wanted) = wanted else {
        return Err(format!(
            "the provider did not say your `{}`",
            claim.as_str()
        ));
    };
    if policy.people.contains_key(wanted) {
        Ok(wanted.to_owned())
    } else {
        Err(format!(
            "`{wanted}` (your `{}`) is not a person listed under [people] in flowgate.toml",
            claim.as_str()
        ))
    }
}

fn person_by_email(policy: &Policy, identity: &Identity) -> Result<String, String> {
    let Some(email) = identity.email.as_deref() else {
        return Err("the provider did not say your email address".to_owned());
    };
    if !identity.email_verified {
        return Err(format!(
            "the provider has not verified the email address {email}"
        ));
    }
    let matches: Vec<&String> = policy
        .people
        .values()
        .filter(|p| {
            p.email
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(email))
        })
        .map(|p| &p.id)
        .collect();
    match matches.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(format!(
            "nobody listed under [people] in flowgate.toml has the email address {email}"
        )),
        _ => Err(format!(
            "several people under [people] have the email address {email}; give each their own"
        )),
    }
}

/// A value derived from the browser's binding secret for one purpose (PKCE, nonce).
fn derived(purpose: &str, binding: &str) -> String {
    blake3::derive_key(purpose, binding.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn verifier(binding: &str) -> PkceCodeVerifier {
    PkceCodeVerifier::new(derived("flowgate 2026 oidc pkce verifier", binding))
}

fn nonce(binding: &str) -> Nonce {
    Nonce::new(derived("flowgate 2026 oidc nonce", binding))
}

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The provider of `[server.oidc]`, reached through the server's HTTP client.
#[derive(Debug, Clone)]
pub struct Provider {
    settings: Settings,
    agent: ureq::Agent,
}

/// A failed HTTP exchange with the provider (its text never holds a secret: no request body).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HttpError(String);

fn call(agent: &ureq::Agent, request: HttpRequest) -> Result<HttpResponse, HttpError> {
    let target = format!("{} {}", request.method(), request.uri().path());
    let fail = |e: ureq::Error| HttpError(format!("{target}: {e}"));
    let response = if request.body().is_empty() {
        agent.run(request.map(|_| ureq::SendBody::none()))
    } else {
        agent.run(request)
    }
    .map_err(fail)?;
    let (parts, mut body) = response.into_parts();
    let bytes = body
        .with_config()
        .limit(MAX_ANSWER)
        .read_to_vec()
        .map_err(fail)?;
    Ok(HttpResponse::from_parts(parts, bytes))
}

impl Provider {
    /// The provider `settings` describe.
    pub fn new(settings: Settings) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .into();
        Self { settings, agent }
    }

    /// Whether `iss` (RFC 9207's parameter of the callback) is this provider's issuer.
    pub fn is_issuer(&self, iss: &str) -> bool {
        iss.trim_end_matches('/') == self.settings.issuer.trim_end_matches('/')
    }

    /// Its settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    fn http(&self) -> impl Fn(HttpRequest) -> Result<HttpResponse, HttpError> + '_ {
        |request| call(&self.agent, request)
    }

    /// Discovery (and the JWKS it names), then a client sending people back to `redirect`.
    fn client(&self, redirect: &str) -> Result<Client, OidcError> {
        let unavailable = |e: &dyn std::fmt::Display| OidcError::Unavailable(e.to_string());
        let issuer = IssuerUrl::new(self.settings.issuer.clone()).map_err(|e| unavailable(&e))?;
        let metadata =
            CoreProviderMetadata::discover(&issuer, &self.http()).map_err(|e| unavailable(&e))?;
        let redirect = RedirectUrl::new(redirect.to_owned()).map_err(|e| unavailable(&e))?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            Some(ClientSecret::new(self.settings.client_secret.clone())),
        )
        .set_redirect_uri(redirect))
    }

    /// Where to send the browser: the provider's authorization endpoint with `state`, the
    /// nonce and the PKCE challenge derived from `binding`. Blocks on HTTP: call it off the
    /// async workers.
    pub fn authorization_url(
        &self,
        redirect: &str,
        state: &str,
        binding: &str,
    ) -> Result<String, OidcError> {
        let client = self.client(redirect)?;
        let challenge = PkceCodeChallenge::from_code_verifier_sha256(&verifier(binding));
        let (state, nonce) = (CsrfToken::new(state.to_owned()), nonce(binding));
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                move || state,
                move || nonce,
            )
            .set_pkce_challenge(challenge);
        for scope in &self.settings.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        Ok(request.url().0.to_string())
    }

    /// Exchanges `code` (with the PKCE verifier derived from `binding`), verifies the ID
    /// token (signature, issuer, audience, expiry, nonce) and says who logged in, asking the
    /// userinfo endpoint when the ID token lacks the mapped claim. Blocks on HTTP.
    pub fn identify(
        &self,
        redirect: &str,
        code: &str,
        binding: &str,
    ) -> Result<Identity, OidcError> {
        let client = self.client(redirect)?;
        let refused = |e: &dyn std::fmt::Display| OidcError::Refused(e.to_string());
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| refused(&e))?
            .set_pkce_verifier(verifier(binding))
            .request(&self.http())
            .map_err(|e| refused(&e))?;
        let token = response
            .id_token()
            .ok_or_else(|| refused(&"the token answer holds no ID token"))?;
        let claims: &CoreIdTokenClaims = token
            .claims(&client.id_token_verifier(), &nonce(binding))
            .map_err(|e| refused(&e))?;
        let identity = Identity::from_id_token(claims);
        if identity.has(self.settings.claim) {
            return Ok(identity);
        }
        self.userinfo(&client, response.access_token(), &identity)
    }

    /// The identity from the userinfo endpoint, whose `sub` must be the ID token's.
    fn userinfo(
        &self,
        client: &Client,
        access: &AccessToken,
        identity: &Identity,
    ) -> Result<Identity, OidcError> {
        let subject = openidconnect::SubjectIdentifier::new(identity.subject.clone());
        let Ok(request) = client.user_info(access.clone(), Some(subject)) else {
            return Ok(identity.clone());
        };
        let info: UserInfoClaims<EmptyAdditionalClaims, CoreGenderClaim> = request
            .request(&self.http())
            .map_err(|e| OidcError::Refused(format!("userinfo: {e}")))?;
        Ok(Identity::from_standard(info.standard_claims()))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn policy() -> Policy {
        let person = |id: &str, email: Option<&str>| flowgate_release::Person {
            id: id.to_owned(),
            name: None,
            email: email.map(str::to_owned),
            roles: Vec::new(),
        };
        let people = [
            person("mara", Some("Mara@Acme.example")),
            person("ann", Some("shared@acme.example")),
            person("bob", Some("shared@acme.example")),
            person("tom", None),
        ];
        Policy {
            people: people.into_iter().map(|p| (p.id.clone(), p)).collect(),
            environments: Vec::new(),
            incident_timebox: flowgate_model::Duration::from_seconds(1800),
        }
    }

    fn identity(email: Option<&str>, verified: bool, username: Option<&str>) -> Identity {
        Identity {
            subject: "tom".to_owned(),
            email: email.map(str::to_owned),
            email_verified: verified,
            username: username.map(str::to_owned),
        }
    }

    #[test]
    fn the_claim_names_one_declared_person_or_nobody() {
        let policy = policy();
        let by_email = |i: &Identity| person(&policy, Claim::Email, i);
        assert_eq!(
            by_email(&identity(Some("mara@acme.EXAMPLE"), true, None)),
            Ok("mara".into())
        );
        let refused = |r: Result<String, String>, words: &str| {
            assert!(r.as_ref().is_err_and(|e| e.contains(words)), "{r:?}");
        };
        refused(
            by_email(&identity(Some("mara@acme.example"), false, None)),
            "not verified",
        );
        refused(
            by_email(&identity(Some("eve@acme.example"), true, None)),
            "nobody",
        );
        refused(
            by_email(&identity(Some("shared@acme.example"), true, None)),
            "several",
        );
        refused(by_email(&identity(None, true, None)), "did not say");
        let named = identity(None, false, Some("mara"));
        assert_eq!(
            person(&policy, Claim::PreferredUsername, &named),
            Ok("mara".into())
        );
        assert_eq!(person(&policy, Claim::Subject, &named), Ok("tom".into()));
        let stranger = identity(None, false, Some("Mara"));
        refused(
            person(&policy, Claim::PreferredUsername, &stranger),
            "not a person",
        );
    }

    fn read(oidc: &str) -> Result<Settings, Vec<Diagnostic>> {
        let text = format!("[workspace]\nname = \"x\"\n[server.oidc]\n{oidc}");
        let config = flowgate_load::parse_config(&text).unwrap();
        let section = config.server.unwrap().oidc.unwrap();
        settings_of(&section, &SourceText::new(CONFIG_FILE, text.as_str()))
    }

    #[test]
    fn settings_refuse_secrets_in_the_file_and_locate_every_problem() {
        std::env::set_var("FLOWGATE_TEST_OIDC_UNIT_SECRET", "s3cret-value");
        let good = read(
            "issuer = \"https://id.acme.example/\"\nclient_id = \"fg\"\n\
             client_secret = \"env:FLOWGATE_TEST_OIDC_UNIT_SECRET\"\n\
             scopes = [\"openid\", \"email\", \"groups\"]\n",
        )
        .unwrap();
        assert_eq!(good.name, "id.acme.example");
        assert_eq!(good.scopes, ["email", "groups"]);
        assert_eq!(good.claim, Claim::Email);
        assert!(!format!("{good:?}").contains("s3cret-value"));
        let bad = read(
            "issuer = \"http://id.acme.example\"\nclient_id = \"fg\"\n\
             client_secret = \"hunter2-literal\"\nclaim = \"groups\"\n",
        )
        .unwrap_err();
        let lines: Vec<u32> = bad
            .iter()
            .map(|d| d.location.as_ref().unwrap().start.line)
            .collect();
        assert_eq!(lines, [4, 6, 7], "{bad:?}");
        assert!(bad[1].message.contains("not hold the secret"));
        let unset = read(
            "issuer = \"https://id.acme.example\"\nclient_id = \"fg\"\n\
             client_secret = \"env:FLOWGATE_TEST_OIDC_UNIT_UNSET\"\n",
        )
        .unwrap_err();
        assert!(unset[0].message.contains("which is not set"), "{unset:?}");
    }

    #[test]
    fn derived_values_differ_by_purpose_and_binding() {
        assert_ne!(derived("a", "x"), derived("b", "x"));
        assert_ne!(derived("a", "x"), derived("a", "y"));
        assert_eq!(derived("a", "x").len(), 64);
    }
}

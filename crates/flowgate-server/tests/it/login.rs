//! The browser's way in: an invitation link sets a password once, the login form starts a
//! session whose forms need its CSRF token, failed logins are rate-limited, and `flowgate
//! login`'s way to a token (person and password) works only with the right password.

use crate::common::{Answer, TestServer};
use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

const PASSWORD: &str = "a long enough passphrase";

/// Follows an invitation for `person`: the session cookie after setting the password.
async fn set_password(server: &TestServer, person: &str) -> String {
    let invitation = flowgate_server::invite(&server.store, person, "admin", 72)
        .await
        .unwrap();
    let path = format!("/setup/{}", invitation.secret);
    let form = server.send(Method::GET, &path, &[], "").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let cookie = format!("flowgate_form={}", form.cookie("flowgate_form").unwrap());
    let body = format!(
        "csrf={}&password={}&confirm={}",
        form.csrf(),
        enc(PASSWORD),
        enc(PASSWORD)
    );
    let done = server
        .send(Method::POST, &path, &[("cookie", &cookie)], &body)
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let again = server.send(Method::GET, &path, &[], "").await;
    assert_eq!(
        again.status,
        StatusCode::NOT_FOUND,
        "an invitation works once"
    );
    done.cookie("flowgate_session").unwrap()
}

fn enc(text: &str) -> String {
    text.replace(' ', "+")
}

async fn login(server: &TestServer, person: &str, password: &str) -> Answer {
    let form = server.send(Method::GET, "/login", &[], "").await;
    let cookie = format!("flowgate_form={}", form.cookie("flowgate_form").unwrap());
    let body = format!(
        "csrf={}&person={person}&password={}&next=/inbox",
        form.csrf(),
        enc(password)
    );
    server
        .send(Method::POST, "/login", &[("cookie", &cookie)], &body)
        .await
}

#[tokio::test]
async fn an_invitation_sets_a_password_and_the_login_form_starts_a_session() {
    let server = TestServer::start().await;
    set_password(&server, "mara").await;
    let wrong = login(&server, "mara", "not the passphrase").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("the person or the password is wrong"));
    let right = login(&server, "mara", PASSWORD).await;
    assert_eq!(right.status, StatusCode::SEE_OTHER, "{}", right.body);
    assert_eq!(right.headers["location"], "/inbox");
    let set_cookie = right
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("flowgate_session="))
        .unwrap();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    let session = format!(
        "flowgate_session={}",
        right.cookie("flowgate_session").unwrap()
    );
    let inbox = server
        .send(Method::GET, "/inbox", &[("cookie", &session)], "")
        .await;
    assert_eq!(inbox.status, StatusCode::OK);
    assert!(inbox.body.contains("Signed in as"));
}

#[tokio::test]
async fn a_session_form_without_its_csrf_token_is_refused() {
    let server = TestServer::start().await;
    server.snapshot("welcome", "1.0.0", "Hello").await;
    let session = format!("flowgate_session={}", set_password(&server, "mara").await);
    let cookie = [("cookie", session.as_str())];
    let page = server.send(Method::GET, "/", &cookie, "").await;
    let csrf = page.csrf();
    let forged = server
        .send(
            Method::POST,
            "/plans",
            &cookie,
            "snapshot=welcome%401.0.0&env=stage",
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    let wrong = server
        .send(
            Method::POST,
            "/plans",
            &cookie,
            "snapshot=welcome%401.0.0&env=stage&csrf=00",
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    let planned = server
        .send(
            Method::POST,
            "/plans",
            &cookie,
            &format!("snapshot=welcome%401.0.0&env=stage&csrf={csrf}"),
        )
        .await;
    assert_eq!(planned.status, StatusCode::SEE_OTHER, "{}", planned.body);
    let login_without_token = server
        .send(
            Method::POST,
            "/login",
            &[],
            &format!("person=mara&password={}", enc(PASSWORD)),
        )
        .await;
    assert_eq!(login_without_token.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn failed_logins_lock_the_person_out_even_with_the_right_password() {
    let server = TestServer::start().await;
    set_password(&server, "jonas").await;
    for _ in 0..flowgate_server::MAX_FAILURES {
        let answer = login(&server, "jonas", "guess guess guess").await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    }
    let locked = login(&server, "jonas", PASSWORD).await;
    assert_eq!(
        locked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        locked.body
    );
    let api = server
        .api(
            Method::POST,
            "/api/tokens",
            None,
            json!({ "name": "cli", "person": "jonas", "password": PASSWORD }),
        )
        .await;
    assert_eq!(api.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(api.headers.contains_key("retry-after"));
}

#[tokio::test]
async fn a_token_is_issued_for_the_right_password_only_and_shown_once() {
    let server = TestServer::start().await;
    set_password(&server, "priya").await;
    let refused = server
        .api(
            Method::POST,
            "/api/tokens",
            None,
            json!({ "name": "cli", "person": "priya", "password": "wrong password!" }),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let unknown = server
        .api(
            Method::POST,
            "/api/tokens",
            None,
            json!({ "name": "cli", "person": "eve", "password": PASSWORD }),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    let issued = server
        .api(
            Method::POST,
            "/api/tokens",
            None,
            json!({ "name": "cli", "person": "priya", "password": PASSWORD, "days": 30 }),
        )
        .await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
    let token = issued.json()["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("fgt_"));
    let listed = server
        .api(Method::GET, "/api/tokens", Some(&token), Value::Null)
        .await;
    assert!(
        !listed.body.contains(&token),
        "a listing never shows a secret"
    );
    assert_eq!(listed.json()["tokens"][0]["name"], "cli");
    assert!(listed.json()["tokens"][0]["expires_at"].is_string());
}

#[tokio::test]
async fn weak_or_mismatched_passwords_are_refused_at_setup() {
    let server = TestServer::start().await;
    let invitation = flowgate_server::invite(&server.store, "tom", "admin", 72)
        .await
        .unwrap();
    let path = format!("/setup/{}", invitation.secret);
    for (password, confirm, says) in [
        ("short", "short", "at least"),
        (PASSWORD, "another long passphrase", "differ"),
    ] {
        let form = server.send(Method::GET, &path, &[], "").await;
        let cookie = format!("flowgate_form={}", form.cookie("flowgate_form").unwrap());
        let body = format!(
            "csrf={}&password={}&confirm={}",
            form.csrf(),
            enc(password),
            enc(confirm)
        );
        let answer = server
            .send(Method::POST, &path, &[("cookie", &cookie)], &body)
            .await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(answer.body.contains(says), "{}", answer.body);
    }
    assert!(server
        .store
        .accounts()
        .password("tom")
        .await
        .unwrap()
        .is_none());
}

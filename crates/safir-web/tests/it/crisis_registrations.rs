//! Citizens abroad through HTTP: registering a trip (every bad field named, the input kept),
//! one's own pages, downloading and deleting one's data, and the crisis presence form with
//! its code (closed form → 404, five wrong codes → locked).

use safir_store::crisis::registrations;
use safir_store::with_pool;

use crate::harness::{Client, TestApp, borrowed, unique_email};

fn trip_fields(email: &str) -> Vec<(&str, &str)> {
    vec![
        ("kind", "trip"),
        ("full_name", "Layla Haddad"),
        ("email", email),
        ("phone", "+971501234567"),
        ("channels", "email"),
        ("channels", "sms"),
        ("lang", "en"),
        ("place1_country", "FR"),
        ("place1_city", "Paris"),
        ("place1_starts_on", "2099-06-01"),
        ("place1_ends_on", "2099-06-20"),
        ("place2_country", "BE"),
        ("place2_city", "Brussels"),
        ("place2_starts_on", "2099-06-20"),
        ("place2_ends_on", "2099-06-25"),
        ("companion1_name", "Sami"),
        ("companion1_age", "7"),
        ("medical", "on"),
        ("medical_note", "Insulin"),
        ("consent", "on"),
    ]
}

#[tokio::test]
async fn a_trip_with_bad_fields_names_each_and_keeps_what_was_typed() {
    let app = TestApp::sqlite().await;
    let email = unique_email("layla");
    let layla = app.public_user(&email).await;
    let mut c = app.client();
    c.lang = Some("en");
    c.sign_in(&layla).await;
    let res = c
        .submit(
            "/abroad/new?kind=trip",
            "/abroad/new",
            &[
                ("kind", "trip"),
                ("full_name", " "),
                ("email", "not-an-email"),
                ("phone", "0501234567"),
                ("channels", "email"),
                ("lang", "fr"),
                ("place1_country", "XX"),
                ("place1_city", "Lyon typed here"),
                ("place1_lat", "95"),
                ("place1_lon", "2"),
                ("place1_starts_on", "2099-06-10"),
                ("place1_ends_on", "2099-06-01"),
                ("companion1_name", "Sami"),
                ("companion1_age", "seven"),
                ("emergency_name", "Omar"),
            ],
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.body);
    for field in [
        "full_name",
        "email",
        "phone",
        "lang",
        "place1_country",
        "place1_lat",
        "place1_ends_on",
        "companion1_age",
        "emergency_phone",
        "consent",
    ] {
        assert!(
            res.body.contains(&format!("id=\"f-{field}-error\"")),
            "no error beside {field}"
        );
    }
    assert!(res.body.contains("Lyon typed here"), "the input is kept");
    assert!(res.body.contains("This country code is unknown."));
    assert!(res.body.contains("value=\"not-an-email\""));

    let res = c
        .submit("/abroad/new?kind=trip", "/abroad/new", &trip_fields(&email))
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = res.location().unwrap().to_owned();
    let shown = c.get(&page).await;
    assert_eq!(shown.status, 200);
    assert!(shown.body.contains("Paris") && shown.body.contains("Brussels"));
    assert!(shown.body.contains("Insulin"));
    let list = c.get("/abroad").await;
    assert!(list.body.contains(&page));
    let id = page.trim_start_matches("/abroad/");
    let r = registrations::find(&app.db, id).await.unwrap();
    assert_eq!((r.kind.as_str(), r.children, r.medical), ("trip", 1, true));
    assert!(r.purge_after.is_some(), "a trip is purged after it ends");

    // Someone else sees nothing and deletes nothing.
    let other = app.public_user(&unique_email("other")).await;
    let mut o = app.client();
    o.sign_in(&other).await;
    assert_eq!(o.get(&page).await.status, 404);
    let res = o.submit("/abroad", &format!("{page}/delete"), &[]).await;
    assert_eq!(res.status, 404);
    let res = c.submit(&page, &format!("{page}/delete"), &[]).await;
    assert_eq!(res.status, 303);
    assert!(registrations::find(&app.db, id).await.is_err());
}

/// The country is chosen by name from a list: left at "—", it is asked for in the reader's
/// language, not said to be a badly typed code.
#[tokio::test]
async fn an_unchosen_country_is_asked_for() {
    for app in TestApp::all().await {
        let email = unique_email("nocountry");
        let layla = app.public_user(&email).await;
        for (lang, says) in [("en", "Choose a country."), ("ar", "اختر بلدًا.")] {
            let mut c = app.client();
            c.sign_in(&layla).await;
            // Chosen with the switcher: a signed-in person's saved language wins over the
            // browser's.
            let page = format!("/abroad/new?kind=trip&lang={lang}");
            let post = format!("/abroad/new?lang={lang}");
            let mut fields = trip_fields(&email);
            fields.retain(|(k, _)| !k.starts_with("place"));
            fields.extend([
                ("place1_country", ""),
                ("place1_city", "Lyon typed"),
                ("place1_starts_on", "2099-06-01"),
                ("place1_ends_on", "2099-06-20"),
            ]);
            let res = c.submit(&page, &post, &fields).await;
            assert_eq!(res.status, 422, "{}", res.body);
            let error = crate::harness::value_after(&res.body, "id=\"f-place1_country-error\">");
            assert!(error.starts_with(says), "{lang}: {error}");
            assert!(!res.body.contains("FR."), "no code asked for");
            assert!(res.body.contains("Lyon typed"), "kept");

            // No place at all: the first row's country is asked for the same way.
            fields.retain(|(k, _)| !k.starts_with("place"));
            let res = c.submit(&page, &post, &fields).await;
            assert_eq!(res.status, 422, "{}", res.body);
            let error = crate::harness::value_after(&res.body, "id=\"f-place1_country-error\">");
            assert!(error.starts_with(says), "{lang}: {error}");
        }
    }
}

#[tokio::test]
async fn a_citizen_downloads_then_deletes_everything_held_about_them() {
    for app in TestApp::all().await {
        let email = unique_email("data");
        let user = app.public_user(&email).await;
        let mut c = app.client();
        c.sign_in(&user).await;
        let res = c
            .submit("/abroad/new?kind=trip", "/abroad/new", &trip_fields(&email))
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let sub = c
            .submit(
                "/subscribe",
                "/subscribe",
                &[
                    ("country", "FR"),
                    ("channel", "email"),
                    ("address", &email),
                    ("lang", "en"),
                    ("consent", "on"),
                ],
            )
            .await;
        assert_eq!(sub.status, 200);

        let data = c.get("/abroad/my-data.json").await;
        assert_eq!(data.status, 200);
        assert!(
            data.headers["content-disposition"]
                .to_str()
                .unwrap()
                .contains("attachment")
        );
        let json = data.json();
        assert_eq!(json["registrations"].as_array().unwrap().len(), 1);
        assert_eq!(
            json["registrations"][0]["places"].as_array().unwrap().len(),
            2
        );
        assert_eq!(json["registrations"][0]["companions"][0]["name"], "Sami");
        assert_eq!(json["subscriptions"][0]["address"], email.as_str());
        assert!(
            app.audit_actions()
                .await
                .contains(&"crisis.my_data.export".to_owned())
        );

        let res = c.submit("/abroad", "/abroad/my-data/delete", &[]).await;
        assert_eq!(res.status, 303);
        let json = c.get("/abroad/my-data.json").await.json();
        assert!(json["registrations"].as_array().unwrap().is_empty());
        assert!(json["subscriptions"].as_array().unwrap().is_empty());
        assert!(
            app.audit_actions()
                .await
                .contains(&"crisis.my_data.delete".to_owned())
        );
    }
}

/// A presence registration confirmed by SMS proves the phone only: the address typed beside
/// it (a relative's, a typo that is someone else's) is not its owner. Before, that address's
/// account downloaded the stranger's registration (name, phone, medical needs, places) and
/// "delete everything" removed it and the stranger's SMS subscriptions.
#[tokio::test]
async fn another_persons_presence_confirmed_by_sms_is_not_in_my_data() {
    for app in TestApp::all().await {
        let email = unique_email("mine");
        let user = app.public_user(&email).await;
        let open = crisis(&app, "open", true).await;
        // Someone else registers with this address and their own phone, confirms by SMS,
        // and subscribes that phone to travel advice.
        let path = format!("/crisis/{open}/presence");
        let mut stranger = app.client();
        let res = stranger
            .submit(
                &path,
                &path,
                &[
                    ("full_name", "Hassan Ali"),
                    ("email", &email),
                    ("phone", "+249 912 000 111"),
                    ("channels", "sms"),
                    ("lang", "en"),
                    ("place1_city", "Omdurman"),
                    ("medical", "on"),
                    ("medical_note", "Insulin twice a day"),
                    ("consent", "on"),
                ],
            )
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let verify = res.location().unwrap().to_owned();
        let id = verify.split("r=").nth(1).unwrap().to_owned();
        let payload: String = with_pool!(app.db.read(), p => {
            sqlx::query_scalar("SELECT payload FROM jobs WHERE kind = 'sms.send' ORDER BY id DESC LIMIT 1")
                .fetch_one(p)
                .await
        })
        .unwrap();
        let sms: serde_json::Value = serde_json::from_str(&payload).unwrap();
        // The code is the message's run of six digits.
        let code: String = sms["body"]
            .as_str()
            .unwrap()
            .split(|c: char| !c.is_ascii_digit())
            .find(|run| run.len() == 6)
            .unwrap()
            .to_owned();
        let res = stranger
            .submit(
                &verify,
                "/crisis/presence/verify",
                &[("r", &id), ("code", &code)],
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert!(
            registrations::find(&app.db, &id)
                .await
                .unwrap()
                .is_verified()
        );
        exec_subscription(&app, "+249912000111").await;

        let mut c = app.client();
        c.sign_in(&user).await;
        my_data_leaves_out(&mut c, &app, &id).await;
        let subs: i64 = with_pool!(app.db.read(), p => {
            sqlx::query_scalar("SELECT COUNT(*) FROM advice_subscriptions WHERE address = '+249912000111'")
                .fetch_one(p)
                .await
        })
        .unwrap();
        assert_eq!(subs, 1, "the stranger's subscription stays");
    }
}

/// A presence registration confirmed by a code to an address belongs to whoever proved that
/// address: an account opened with it and not confirmed (anyone can type someone's address
/// at sign-up) neither downloads nor deletes it; once the account proves the address, it does.
#[tokio::test]
async fn an_unconfirmed_account_address_does_not_reach_a_presence_registration() {
    for app in TestApp::all().await {
        let email = unique_email("victim");
        let open = crisis(&app, "open", true).await;
        let path = format!("/crisis/{open}/presence");
        let mut owner = app.client();
        let res = owner.submit(&path, &path, &presence_fields(&email)).await;
        assert_eq!(res.status, 303, "{}", res.body);
        let verify = res.location().unwrap().to_owned();
        let id = verify.split("r=").nth(1).unwrap().to_owned();
        let code = code_sent_to(&app, &email).await;
        let res = owner
            .submit(
                &verify,
                "/crisis/presence/verify",
                &[("r", &id), ("code", &code)],
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let mut sub = app.client();
        let res = sub
            .submit(
                "/subscribe",
                "/subscribe",
                &[
                    ("country", "SD"),
                    ("channel", "email"),
                    ("address", &email),
                    ("lang", "en"),
                    ("consent", "on"),
                ],
            )
            .await;
        assert_eq!(res.status, 200);

        // An account with the address, its confirmation link never clicked.
        let user = app.public_user(&email).await;
        email_verified(&app, &email, false).await;
        let mut c = app.client();
        c.sign_in(&user).await;
        my_data_leaves_out(&mut c, &app, &id).await;
        let export = c.get("/account/data").await;
        assert_eq!(export.status, 200);
        assert!(!export.body.contains("Amal Osman"), "{}", export.body);

        // Proved: it is theirs.
        email_verified(&app, &email, true).await;
        let mut c = app.client();
        c.sign_in(&user).await;
        let json = c.get("/abroad/my-data.json").await.json();
        assert_eq!(json["registrations"].as_array().unwrap().len(), 1, "{json}");
        assert_eq!(json["subscriptions"].as_array().unwrap().len(), 1, "{json}");
    }
}

/// Marks the account of `email` as having confirmed its address, or not.
async fn email_verified(app: &TestApp, email: &str, verified: bool) {
    let value = if verified { "created_at" } else { "NULL" };
    with_pool!(app.db.write(), p => {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE users SET email_verified_at = {value} WHERE email = $1"
        )))
        .bind(email)
        .execute(p)
        .await
        .map(|r| r.rows_affected())
    })
    .unwrap();
}

/// Signed in as `c`: "my data" holds no registration nor subscription, and "delete
/// everything" leaves registration `id` where it is.
async fn my_data_leaves_out(c: &mut Client<'_>, app: &TestApp, id: &str) {
    let json = c.get("/abroad/my-data.json").await.json();
    assert!(
        json["registrations"].as_array().unwrap().is_empty(),
        "{json}"
    );
    assert!(
        json["subscriptions"].as_array().unwrap().is_empty(),
        "{json}"
    );
    let res = c.submit("/abroad", "/abroad/my-data/delete", &[]).await;
    assert_eq!(res.status, 303);
    assert!(
        registrations::find(&app.db, id).await.is_ok(),
        "still there"
    );
}

/// An active SMS subscription of `phone` to travel advice for Sudan.
async fn exec_subscription(app: &TestApp, phone: &str) {
    with_pool!(app.db.write(), p => {
        sqlx::query(
            "INSERT INTO advice_subscriptions (id, country, channel, address, lang, status, token_hash, created_at, confirmed_at) \
             VALUES ($1, 'SD', 'sms', $2, 'en', 'active', $1, $3, $3)",
        )
        .bind(uuid::Uuid::now_v7().as_simple().to_string())
        .bind(phone)
        .bind(safir_store::now())
        .execute(p)
        .await
        .map(|r| r.rows_affected())
    })
    .unwrap();
}

/// The registration form's own key, sent back with its fields.
async fn keyed_form<'a>(
    c: &mut Client<'_>,
    page: &str,
    fields: &[(&'a str, &'a str)],
) -> (String, Vec<(&'a str, String)>) {
    let (token, key) = c.form_key(page).await;
    let mut sent: Vec<(&str, String)> = fields.iter().map(|(k, v)| (*k, v.to_string())).collect();
    sent.push(("request_key", key));
    (token, sent)
}

/// Anyone can open an account with any address and is signed in at once: a registration
/// made before the address is confirmed counts (reaches alert audiences) only once it is, so
/// an unconfirmed account cannot point crisis messages at whatever contacts it types.
#[tokio::test]
async fn a_registration_counts_once_its_account_confirms_its_address() {
    for app in TestApp::all().await {
        let mut c = app.client();
        c.lang = Some("en");
        let email = unique_email("newcomer");
        let res = crate::accounts::sign_up(&mut c, "Layla Haddad", &email).await;
        assert_eq!(res.status, 303, "{}", res.body);
        let (token, sent) = keyed_form(&mut c, "/abroad/new?kind=trip", &trip_fields(&email)).await;
        let res = c
            .post_form_with_token("/abroad/new", &token, &borrowed(&sent))
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let page_path = res.location().unwrap().to_owned();
        let user_id: String = with_pool!(app.db.read(), p => {
            sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
                .bind(&email)
                .fetch_one(p)
                .await
        })
        .unwrap();
        let mine = registrations::list_for_user(&app.db, &user_id)
            .await
            .unwrap();
        assert_eq!(mine.len(), 1);
        assert!(mine[0].verified_at.is_none(), "not counted yet");
        let page = c.get(&page_path).await;
        assert!(
            page.body.contains("This registration does not count yet"),
            "{}",
            page.body
        );
        assert!(
            c.get("/abroad")
                .await
                .body
                .contains("not counted until you confirm")
        );

        // The link from the sign-up email, pressed from the account's session.
        let mails = app.emails_to(&email).await;
        let link = crate::accounts::link_in(&mails[0].text, "/verify-email?token=");
        let token = link.split("token=").nth(1).unwrap().to_owned();
        let res = c.submit(&link, "/verify-email", &[("token", &token)]).await;
        assert_eq!(res.location(), Some("/account?notice=verified"));
        let mine = registrations::list_for_user(&app.db, &user_id)
            .await
            .unwrap();
        assert!(mine[0].verified_at.is_some(), "counted from now");
        let page = c.get(&page_path).await;
        assert!(!page.body.contains("does not count yet"), "{}", page.body);

        // Made once the address is confirmed, it counts at once.
        let (token, sent) = keyed_form(&mut c, "/abroad/new?kind=trip", &trip_fields(&email)).await;
        let res = c
            .post_form_with_token("/abroad/new", &token, &borrowed(&sent))
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let mine = registrations::list_for_user(&app.db, &user_id)
            .await
            .unwrap();
        assert_eq!(mine.len(), 2);
        assert!(mine.iter().all(|r| r.verified_at.is_some()));

        // Confirmed while the form was open (in another tab, on another server): the account
        // as the request saw it (kept a moment by the server) says unconfirmed, the database
        // says confirmed, and the database decides.
        let mut c = app.client();
        c.lang = Some("en");
        let email = unique_email("othertab");
        let res = crate::accounts::sign_up(&mut c, "Sami Haddad", &email).await;
        assert_eq!(res.status, 303, "{}", res.body);
        let (token, sent) = keyed_form(&mut c, "/abroad/new?kind=trip", &trip_fields(&email)).await;
        email_verified(&app, &email, true).await;
        let res = c
            .post_form_with_token("/abroad/new", &token, &borrowed(&sent))
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let user_id: String = with_pool!(app.db.read(), p => {
            sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
                .bind(&email)
                .fetch_one(p)
                .await
        })
        .unwrap();
        let mine = registrations::list_for_user(&app.db, &user_id)
            .await
            .unwrap();
        assert!(
            mine[0].verified_at.is_some(),
            "counted: the address is confirmed"
        );
    }
}

#[tokio::test]
async fn a_registration_form_sent_twice_registers_once() {
    for app in TestApp::all().await {
        let email = unique_email("layla");
        let layla = app.public_user(&email).await;
        let mut c = app.client();
        c.lang = Some("en");
        c.sign_in(&layla).await;
        let (token, mut sent) =
            keyed_form(&mut c, "/abroad/new?kind=trip", &trip_fields(&email)).await;
        let first = c
            .post_form_with_token("/abroad/new", &token, &borrowed(&sent))
            .await;
        assert_eq!(first.status, 303, "{}", first.body);
        // A double click, the second with a correction typed in between: the same
        // registration, holding the later word.
        for (k, v) in &mut sent {
            if *k == "place1_city" {
                *v = "Lyon".into();
            }
        }
        let again = c
            .post_form_with_token("/abroad/new", &token, &borrowed(&sent))
            .await;
        assert_eq!(again.status, 303, "{}", again.body);
        assert_eq!(again.location(), first.location());
        let mine = registrations::list_for_user(&app.db, &layla.id)
            .await
            .unwrap();
        assert_eq!(mine.len(), 1, "one registration");
        let places = registrations::places(&app.db, &mine[0].id).await.unwrap();
        assert_eq!(places.len(), 2);
        assert_eq!(places[0].city, "Lyon");
        // The form shown again is another form.
        let (token, sent) = keyed_form(&mut c, "/abroad/new?kind=trip", &trip_fields(&email)).await;
        let other = c
            .post_form_with_token("/abroad/new", &token, &borrowed(&sent))
            .await;
        assert_ne!(other.location(), first.location());

        // The presence form: sent twice unchanged, one registration and one code; sent with
        // another address, a registration of its own.
        let open = crisis(&app, "open", true).await;
        let path = format!("/crisis/{open}/presence");
        let amal = unique_email("amal");
        let (token, mut sent) = keyed_form(&mut c, &path, &presence_fields(&amal)).await;
        let first = c
            .post_form_with_token(&path, &token, &borrowed(&sent))
            .await;
        assert_eq!(first.status, 303, "{}", first.body);
        let again = c
            .post_form_with_token(&path, &token, &borrowed(&sent))
            .await;
        assert_eq!(again.location(), first.location());
        assert_eq!(app.emails_to(&amal).await.len(), 1, "one code sent");
        let corrected = unique_email("amal.osman");
        for (k, v) in &mut sent {
            if *k == "email" {
                *v = corrected.clone();
            }
        }
        let other = c
            .post_form_with_token(&path, &token, &borrowed(&sent))
            .await;
        assert_eq!(other.status, 303);
        assert_ne!(other.location(), first.location());
        assert_eq!(app.emails_to(&corrected).await.len(), 1);
    }
}

async fn crisis(app: &TestApp, status: &str, presence_open: bool) -> String {
    static NEXT: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let code = format!("KRT{}", char::from(b'A' + n % 26));
    let mission = app.mission(&code, "SD").await;
    let id = uuid::Uuid::now_v7().as_simple().to_string();
    with_pool!(app.db.write(), p => {
        sqlx::query(
            "INSERT INTO crises (id, mission_id, title_ar, title_en, country, area, status, \
             presence_open, reminder_minutes, declared_at) VALUES ($1, $2, 'أزمة', 'Khartoum crisis', 'SD', '{}', $3, $4, 120, $5)",
        )
        .bind(&id)
        .bind(&mission)
        .bind(status)
        .bind(presence_open)
        .bind(safir_store::now())
        .execute(p)
        .await
        .map(|r| r.rows_affected())
    })
    .unwrap();
    id
}

fn presence_fields(email: &str) -> Vec<(&str, &str)> {
    vec![
        ("full_name", "Amal Osman"),
        ("email", email),
        ("channels", "email"),
        ("lang", "en"),
        ("place1_city", "Khartoum"),
        ("place1_lat", "15.5"),
        ("place1_lon", "32.53"),
        ("children", "2"),
        ("elderly", "on"),
        ("consent", "on"),
    ]
}

/// The six digits of the last code emailed to `to`.
async fn code_sent_to(app: &TestApp, to: &str) -> String {
    let mail = app.emails_to(to).await.pop().expect("a code was emailed");
    mail.subject
        .chars()
        .filter(|c| c.is_ascii_digit())
        .collect()
}

#[tokio::test]
async fn the_presence_form_is_only_there_while_the_crisis_and_form_are_open() {
    let app = TestApp::sqlite().await;
    let mut c = app.client();
    assert_eq!(c.get("/crisis/nope/presence").await.status, 404);
    let closed = crisis(&app, "closed", true).await;
    assert_eq!(
        c.get(&format!("/crisis/{closed}/presence")).await.status,
        404
    );
    let off = crisis(&app, "open", false).await;
    let path = format!("/crisis/{off}/presence");
    assert_eq!(c.get(&path).await.status, 404);
    let token = c.get("/subscribe").await.csrf_token().unwrap();
    let res = c
        .post_form_with_token(&path, &token, &presence_fields("x@example.org"))
        .await;
    assert_eq!(res.status, 404, "a closed form takes nothing");
    let open = crisis(&app, "open", true).await;
    let res = c.get(&format!("/crisis/{open}/presence")).await;
    assert_eq!(res.status, 200);
    assert!(
        res.body.contains("name=\"consent\""),
        "the consent is on the form"
    );
}

#[tokio::test]
async fn a_presence_registration_is_verified_by_its_code_and_locks_after_five_wrong_ones() {
    for app in TestApp::all().await {
        let open = crisis(&app, "open", true).await;
        let path = format!("/crisis/{open}/presence");
        let mut c = app.client();
        c.lang = Some("en");

        // Bad input: named and kept.
        let res = c
            .submit(
                &path,
                &path,
                &[("full_name", "Amal typed"), ("channels", "sms")],
            )
            .await;
        assert_eq!(res.status, 422);
        assert!(res.body.contains("id=\"f-phone-error\""));
        assert!(res.body.contains("id=\"f-consent-error\""));
        assert!(res.body.contains("Amal typed"));

        let email = unique_email("amal");
        let res = c.submit(&path, &path, &presence_fields(&email)).await;
        assert_eq!(res.status, 303, "{}", res.body);
        let verify = res.location().unwrap().to_owned();
        let id = verify.split("r=").nth(1).unwrap().to_owned();
        let code = code_sent_to(&app, &email).await;
        assert_eq!(code.len(), 6);
        let r = registrations::find(&app.db, &id).await.unwrap();
        assert!(!r.is_verified());
        assert_eq!(
            (r.crisis_id.as_deref(), r.children, r.elderly),
            (Some(open.as_str()), 2, true)
        );
        // Typed on an Arabic keyboard, the code reads the same.
        let arabic_digits: String = code
            .chars()
            .map(|d| char::from_u32(0x0660 + d.to_digit(10).unwrap()).unwrap())
            .collect();
        let res = c
            .submit(
                &verify,
                "/crisis/presence/verify",
                &[("r", &id), ("code", &arabic_digits)],
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        assert!(
            registrations::find(&app.db, &id)
                .await
                .unwrap()
                .is_verified()
        );

        // A second person types wrong codes.
        let email = unique_email("wrong");
        let res = c.submit(&path, &path, &presence_fields(&email)).await;
        let verify = res.location().unwrap().to_owned();
        let id = verify.split("r=").nth(1).unwrap().to_owned();
        let code = code_sent_to(&app, &email).await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for left in (1..5).rev() {
            let res = c
                .submit(
                    &verify,
                    "/crisis/presence/verify",
                    &[("r", &id), ("code", wrong)],
                )
                .await;
            assert_eq!(res.status, 422);
            assert!(res.body.contains("id=\"f-code-error\""));
            assert!(res.body.contains("Wrong code"), "{left} left");
        }
        let res = c
            .submit(
                &verify,
                "/crisis/presence/verify",
                &[("r", &id), ("code", wrong)],
            )
            .await;
        assert_eq!(res.status, 422);
        assert!(res.body.contains("Too many wrong codes"));
        let res = c
            .submit(
                &verify,
                "/crisis/presence/verify",
                &[("r", &id), ("code", &code)],
            )
            .await;
        assert_eq!(res.status, 422, "the right code no longer works");
        assert!(res.body.contains("Too many wrong codes"));
        assert!(
            !registrations::find(&app.db, &id)
                .await
                .unwrap()
                .is_verified()
        );
    }
}

#[tokio::test]
async fn a_presence_code_goes_by_sms_when_that_is_the_only_channel() {
    let app = TestApp::sqlite().await;
    let open = crisis(&app, "open", true).await;
    let path = format!("/crisis/{open}/presence");
    let mut c = app.client();
    let res = c
        .submit(
            &path,
            &path,
            &[
                ("full_name", "Amal Osman"),
                ("phone", "+249 912 345 678"),
                ("channels", "sms"),
                ("lang", "ar"),
                ("place1_city", "Omdurman"),
                ("consent", "on"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let id = res
        .location()
        .unwrap()
        .split("r=")
        .nth(1)
        .unwrap()
        .to_owned();
    let payloads: Vec<String> = with_pool!(app.db.read(), p => {
        sqlx::query_scalar("SELECT payload FROM jobs WHERE kind = 'sms.send'").fetch_all(p).await
    })
    .unwrap();
    assert_eq!(payloads.len(), 1);
    let sms: serde_json::Value = serde_json::from_str(&payloads[0]).unwrap();
    assert_eq!(sms["to"], "+249912345678");
    assert_eq!(sms["key"], format!("presence-code:{id}"));
    assert!(
        sms["body"]
            .as_str()
            .unwrap()
            .chars()
            .filter(|c| c.is_ascii_digit())
            .count()
            >= 6
    );
}

/// How many presence registrations the crisis holds.
async fn presence_count(app: &TestApp, crisis: &str) -> i64 {
    with_pool!(app.db.read(), p => {
        sqlx::query_scalar("SELECT COUNT(*) FROM crisis_registrations WHERE crisis_id = $1")
            .bind(crisis)
            .fetch_one(p)
            .await
    })
    .unwrap()
}

/// A town behind one carrier-grade NAT address registers: the form is limited per contact,
/// and the client address only has a high ceiling; a refusal shows the form again as typed.
/// Before, the eleventh form from one address in a minute got a bare error page.
#[tokio::test]
async fn the_presence_form_limits_each_contact_not_a_whole_town_behind_one_address() {
    for app in TestApp::all().await {
        let open = crisis(&app, "open", true).await;
        let path = format!("/crisis/{open}/presence");
        let mut c = app.client();
        c.lang = Some("en");
        // Every request of the test comes from the same (unknown) client address.
        for n in 0..12 {
            let email = unique_email("town");
            let res = c.submit(&path, &path, &presence_fields(&email)).await;
            assert_eq!(res.status, 303, "neighbour {n}: {}", res.body);
            assert_eq!(app.emails_to(&email).await.len(), 1);
        }
        assert_eq!(presence_count(&app, &open).await, 12);

        // One contact: five codes (a person correcting their details), then a wait.
        let email = unique_email("again");
        let cities = ["Khartoum", "Bahri", "Omdurman", "Kassala", "Atbara"];
        for city in cities {
            let mut fields = presence_fields(&email);
            fields.retain(|(k, _)| *k != "place1_city");
            fields.push(("place1_city", city));
            let res = c.submit(&path, &path, &fields).await;
            assert_eq!(res.status, 303, "{city}: {}", res.body);
        }
        let mut fields = presence_fields(&email);
        fields.retain(|(k, _)| *k != "place1_city");
        fields.push(("place1_city", "Port Sudan typed"));
        let res = c.submit(&path, &path, &fields).await;
        assert_eq!(res.status, 429, "{}", res.body);
        let wait: u64 = res.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(wait > 60, "{wait}");
        assert!(res.body.contains("id=\"f-email-error\""), "{}", res.body);
        assert!(res.body.contains("Several codes were sent here just now"));
        assert!(res.body.contains("value=\"Port Sudan typed\""), "kept");
        assert!(res.body.contains("value=\"Amal Osman\""), "kept");
        assert_eq!(app.emails_to(&email).await.len(), 5, "no sixth code");
        assert_eq!(presence_count(&app, &open).await, 17, "nothing stored");
        // The same contact in Arabic: the same, in Arabic.
        let mut ar = app.client();
        ar.lang = Some("ar");
        let res = ar.submit(&path, &path, &fields).await;
        assert_eq!(res.status, 429);
        assert!(
            res.body.contains("أُرسلت إلى هنا عدة رموز للتو"),
            "{}",
            res.body
        );

        // The address's ceiling, far above a household's use: the form comes back as typed,
        // with the wait (bad forms count too: they are sent all the same).
        let token = c.get(&path).await.csrf_token().unwrap();
        let bad = [("full_name", "Crowd typed"), ("channels", "email")];
        let mut refused = None;
        for _ in 0..100 {
            let res = c.post_form_with_token(&path, &token, &bad).await;
            if res.status == 429 {
                refused = Some(res);
                break;
            }
            assert_eq!(res.status, 422, "{}", res.body);
        }
        let res = refused.expect("a ceiling per client address");
        assert!(res.headers.contains_key("retry-after"));
        assert!(
            res.body
                .contains("Many people are registering from your network")
        );
        assert!(res.body.contains("value=\"Crowd typed\""), "kept");

        // Entering codes: the store bounds the guesses per registration; the address only
        // has a ceiling, and a refusal keeps the code typed.
        let res = c
            .submit(&path, &path, &presence_fields(&unique_email("late")))
            .await;
        assert_eq!(res.status, 429, "the form's ceiling is reached");
        let verify_id = registrations::find(
            &app.db,
            &with_pool!(app.db.read(), p => {
                sqlx::query_scalar::<_, String>("SELECT id FROM crisis_registrations WHERE crisis_id = $1 LIMIT 1")
                    .bind(&open)
                    .fetch_one(p)
                    .await
            })
            .unwrap(),
        )
        .await
        .unwrap()
        .id;
        let verify = format!("/crisis/presence/verify?r={verify_id}");
        let token = c.get(&verify).await.csrf_token().unwrap();
        let mut refused = None;
        for n in 0..300 {
            let res = c
                .post_form_with_token(
                    "/crisis/presence/verify",
                    &token,
                    &[("r", &verify_id), ("code", "12 typed")],
                )
                .await;
            if res.status == 429 {
                assert!(n >= 200, "refused after {n}");
                refused = Some(res);
                break;
            }
            assert_eq!(res.status, 422, "{}", res.body);
        }
        let res = refused.expect("a ceiling per client address");
        assert!(res.headers.contains_key("retry-after"));
        assert!(
            res.body
                .contains("Many people are registering from your network")
        );
        assert!(res.body.contains("value=\"12 typed\""), "kept");
    }
}

/// Moves the last code's send time `secs` seconds into the past (its expiry is the send
/// time plus the validity).
async fn code_sent_ago(app: &TestApp, id: &str, secs: i64) {
    let expires = safir_store::now()
        + chrono::Duration::minutes(registrations::CODE_VALIDITY_MINUTES)
        - chrono::Duration::seconds(secs);
    with_pool!(app.db.write(), p => {
        sqlx::query("UPDATE crisis_registrations SET verify_expires_at = $1 WHERE id = $2")
            .bind(expires)
            .bind(id)
            .execute(p)
            .await
            .map(|r| r.rows_affected())
    })
    .unwrap();
}

#[tokio::test]
async fn a_new_presence_code_replaces_the_old_one_a_bounded_number_of_times() {
    for app in TestApp::all().await {
        let open = crisis(&app, "open", true).await;
        let path = format!("/crisis/{open}/presence");
        let mut c = app.client();
        c.lang = Some("en");
        let email = unique_email("resend");
        let res = c.submit(&path, &path, &presence_fields(&email)).await;
        let verify = res.location().unwrap().to_owned();
        let id = verify.split("r=").nth(1).unwrap().to_owned();
        let first = code_sent_to(&app, &email).await;
        let page = c.get(&verify).await;
        assert!(page.body.contains("action=\"/crisis/presence/resend\""));

        // Right after the first code: too soon, nothing sent.
        let res = c
            .submit(&verify, "/crisis/presence/resend", &[("r", &id)])
            .await;
        assert_eq!(res.status, 429, "{}", res.body);
        assert!(
            res.body.contains("before asking for another code"),
            "{}",
            res.body
        );
        assert_eq!(app.emails_to(&email).await.len(), 1);

        // A minute later: a new code, and only the new one works.
        code_sent_ago(&app, &id, 61).await;
        let res = c
            .submit(&verify, "/crisis/presence/resend", &[("r", &id)])
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let shown = c.get(res.location().unwrap()).await;
        assert!(shown.body.contains("A new code was sent"));
        assert_eq!(app.emails_to(&email).await.len(), 2);
        let second = code_sent_to(&app, &email).await;
        if first != second {
            let res = c
                .submit(
                    &verify,
                    "/crisis/presence/verify",
                    &[("r", &id), ("code", &first)],
                )
                .await;
            assert_eq!(res.status, 422, "the first code no longer works");
        }
        for _ in 0..2 {
            code_sent_ago(&app, &id, 61).await;
            let res = c
                .submit(&verify, "/crisis/presence/resend", &[("r", &id)])
                .await;
            assert_eq!(res.status, 303, "{}", res.body);
        }
        assert_eq!(app.emails_to(&email).await.len(), 4);
        let last = code_sent_to(&app, &email).await;
        code_sent_ago(&app, &id, 61).await;
        let res = c
            .submit(&verify, "/crisis/presence/resend", &[("r", &id)])
            .await;
        assert_eq!(res.status, 429);
        assert!(res.body.contains("No more codes"), "{}", res.body);
        assert_eq!(app.emails_to(&email).await.len(), 4, "four codes at most");

        let res = c
            .submit(
                &verify,
                "/crisis/presence/verify",
                &[("r", &id), ("code", &last)],
            )
            .await;
        assert_eq!(res.status, 200, "{}", res.body);
        let r = registrations::find(&app.db, &id).await.unwrap();
        assert!(r.is_verified());
        assert_eq!(r.verify_sends, 4);
        // Verified: a resend sends nothing and goes back to the page.
        let token = page.csrf_token().unwrap();
        let res = c
            .post_form_with_token("/crisis/presence/resend", &token, &[("r", &id)])
            .await;
        assert_eq!(res.status, 303);
        assert_eq!(app.emails_to(&email).await.len(), 4);
        let res = c
            .post_form_with_token("/crisis/presence/resend", &token, &[("r", "nope")])
            .await;
        assert_eq!(res.status, 404);
    }
}

/// A presence form switched off still lets someone already registering get a new code; a
/// closed crisis sends no more.
#[tokio::test]
async fn no_new_presence_code_goes_out_once_the_crisis_is_closed() {
    for app in TestApp::all().await {
        let open = crisis(&app, "open", true).await;
        let path = format!("/crisis/{open}/presence");
        let mut c = app.client();
        c.lang = Some("en");
        let email = unique_email("late");
        let res = c.submit(&path, &path, &presence_fields(&email)).await;
        let verify = res.location().unwrap().to_owned();
        let id = verify.split("r=").nth(1).unwrap().to_owned();
        let set = |sql: &'static str| {
            let (db, open) = (app.db.clone(), open.clone());
            async move {
                with_pool!(db.write(), p => {
                    sqlx::query(sql).bind(&open).execute(p).await.map(|r| r.rows_affected())
                })
                .unwrap();
            }
        };
        set("UPDATE crises SET presence_open = false WHERE id = $1").await;
        code_sent_ago(&app, &id, 61).await;
        let res = c
            .submit(&verify, "/crisis/presence/resend", &[("r", &id)])
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        assert_eq!(app.emails_to(&email).await.len(), 2);

        set("UPDATE crises SET status = 'closed' WHERE id = $1").await;
        code_sent_ago(&app, &id, 61).await;
        // The page no longer offers a new code; a request from the page before is told why.
        let page = c.get(&verify).await;
        assert!(
            !page.body.contains("/crisis/presence/resend"),
            "{}",
            page.body
        );
        assert!(
            page.body.contains("/crisis/presence/verify"),
            "a code can still be entered"
        );
        let res = c
            .submit(&verify, "/crisis/presence/resend", &[("r", &id)])
            .await;
        assert_eq!(res.status, 409, "{}", res.body);
        assert!(res.body.contains("This crisis is over"), "{}", res.body);
        assert_eq!(app.emails_to(&email).await.len(), 2, "nothing sent");
    }
}

#[tokio::test]
async fn a_citizen_changes_a_trip_and_nobody_else_can() {
    for app in TestApp::all().await {
        let email = unique_email("edit");
        let layla = app.public_user(&email).await;
        let mut c = app.client();
        c.lang = Some("en");
        c.sign_in(&layla).await;
        let res = c
            .submit("/abroad/new?kind=trip", "/abroad/new", &trip_fields(&email))
            .await;
        assert_eq!(res.status, 303, "{}", res.body);
        let page = res.location().unwrap().to_owned();
        let id = page.trim_start_matches("/abroad/").to_owned();
        let edit = format!("{page}/edit");
        let before = registrations::find(&app.db, &id).await.unwrap();

        // The form starts from what is held, countries chosen by name.
        let form = c.get(&edit).await;
        assert_eq!(form.status, 200);
        assert!(
            c.get(&page)
                .await
                .body
                .contains(&format!("href=\"{edit}\""))
        );
        for held in ["value=\"Brussels\"", "value=\"Insulin\"", "value=\"Sami\""] {
            assert!(form.body.contains(held), "{held} is on the form");
        }
        assert!(
            form.body
                .contains("<option value=\"BE\" selected>Belgium</option>")
        );
        assert!(form.body.contains(&format!("action=\"{edit}\"")));

        // A bad change: named, kept, nothing stored changes.
        let mut bad = trip_fields(&email);
        bad.retain(|(k, _)| !k.starts_with("place2"));
        bad.push(("place2_country", "XX"));
        bad.push(("place2_city", "Ghent typed here"));
        let res = c.submit(&edit, &edit, &bad).await;
        assert_eq!(res.status, 422);
        assert!(res.body.contains("id=\"f-place2_country-error\""));
        assert!(res.body.contains("Ghent typed here"));
        assert_eq!(registrations::places(&app.db, &id).await.unwrap().len(), 2);

        // The trip is shortened to Paris only, and extended to the end of June.
        let mut good = trip_fields(&email);
        good.retain(|(k, _)| !k.starts_with("place"));
        good.extend([
            ("place1_country", "FR"),
            ("place1_city", "Lyon"),
            ("place1_starts_on", "2099-06-01"),
            ("place1_ends_on", "2099-06-30"),
        ]);
        let res = c.submit(&edit, &edit, &good).await;
        assert_eq!(res.status, 303, "{}", res.body);
        let shown = c.get(res.location().unwrap()).await;
        assert!(shown.body.contains("Your registration was updated."));
        assert!(shown.body.contains("Lyon") && !shown.body.contains("Brussels"));
        let places = registrations::places(&app.db, &id).await.unwrap();
        assert_eq!(places.len(), 1);
        assert_eq!(places[0].ends_on.as_deref(), Some("2099-06-30"));
        let after = registrations::find(&app.db, &id).await.unwrap();
        assert!(
            after.purge_after > before.purge_after,
            "the purge follows the trip"
        );
        assert_eq!(after.kind, "trip");

        // Someone else can neither see nor change it.
        let other = app.public_user(&unique_email("other")).await;
        let mut o = app.client();
        o.sign_in(&other).await;
        assert_eq!(o.get(&edit).await.status, 404);
        let token = o.get("/abroad").await.csrf_token().unwrap();
        let res = o.post_form_with_token(&edit, &token, &good).await;
        assert_eq!(res.status, 404);
        assert_eq!(
            registrations::places(&app.db, &id).await.unwrap()[0].city,
            "Lyon"
        );
    }
}

/// "Send a new code" counts against the contact as the form's codes do: five forms to one
/// address, then a new code for the first of them, is one code too many for a while.
#[tokio::test]
async fn a_new_code_counts_against_its_contact_as_the_form_does() {
    for app in TestApp::all().await {
        let open = crisis(&app, "open", true).await;
        let path = format!("/crisis/{open}/presence");
        let mut c = app.client();
        c.lang = Some("en");
        let email = unique_email("flooded");
        let mut first = None;
        for _ in 0..5 {
            let res = c.submit(&path, &path, &presence_fields(&email)).await;
            assert_eq!(res.status, 303, "{}", res.body);
            first.get_or_insert(res.location().unwrap().to_owned());
        }
        assert_eq!(app.emails_to(&email).await.len(), 5);
        let verify = first.unwrap();
        let id = verify.split("r=").nth(1).unwrap().to_owned();
        code_sent_ago(&app, &id, 61).await;
        let res = c
            .submit(&verify, "/crisis/presence/resend", &[("r", &id)])
            .await;
        assert_eq!(res.status, 429, "{}", res.body);
        assert!(res.headers.contains_key("retry-after"));
        assert!(
            res.body
                .contains("Several codes were sent to this contact just now"),
            "{}",
            res.body
        );
        assert_eq!(app.emails_to(&email).await.len(), 5, "no sixth code");
    }
}

/// Someone who confirms their presence is on the crisis's welfare board at once, waiting for
/// an answer: counted, listed, once however often the code is sent; a later alert of the
/// crisis then supersedes that check-in with its own. Before, the board read only alerts'
/// check-ins, and a confirmed registrant was on no tile, list or export until an alert's area
/// reached them.
#[tokio::test]
async fn a_confirmed_presence_registration_is_on_the_board_at_once() {
    use safir_store::crisis::checkins::{self, BoardFilter};
    for app in TestApp::all().await {
        let open = crisis(&app, "open", true).await;
        let path = format!("/crisis/{open}/presence");
        let mut c = app.client();
        c.lang = Some("en");
        let email = unique_email("board");
        let mut fields = presence_fields(&email);
        fields.push(("place1_region", "Khartoum State"));
        let res = c.submit(&path, &path, &fields).await;
        assert_eq!(res.status, 303, "{}", res.body);
        let verify = res.location().unwrap().to_owned();
        let id = verify.split("r=").nth(1).unwrap().to_owned();
        let code = code_sent_to(&app, &email).await;
        let board = || async {
            let counts = checkins::counts(&app.db, &open).await.unwrap();
            let rows = checkins::list(&app.db, &open, &BoardFilter::default())
                .await
                .unwrap();
            (counts, rows)
        };
        let (counts, rows) = board().await;
        assert_eq!(counts.people.total(), 0, "not before the code is entered");
        assert!(rows.is_empty());

        // The code sent twice (a double click, a retried request).
        let token = c.get(&verify).await.csrf_token().unwrap();
        for _ in 0..2 {
            let res = c
                .post_form_with_token(
                    "/crisis/presence/verify",
                    &token,
                    &[("r", &id), ("code", &code)],
                )
                .await;
            assert_eq!(res.status, 200, "{}", res.body);
        }
        let (counts, rows) = board().await;
        assert_eq!(
            (counts.people.total(), counts.people.waiting),
            (1, 1),
            "confirmed twice, counted once, with no answer yet"
        );
        assert_eq!(counts.by_region["Khartoum State"].waiting, 1);
        assert_eq!(counts.by_vulnerability["children"].waiting, 1);
        assert_eq!(rows.len(), 1);
        let row = &rows[0];
        assert_eq!(
            (
                row.registration_id.as_str(),
                row.alert_id.as_deref(),
                row.status.as_str(),
                row.full_name.as_str(),
                row.region.as_str()
            ),
            (id.as_str(), None, "waiting", "Amal Osman", "Khartoum State")
        );

        // A later alert of the crisis reaching her supersedes that check-in with its own.
        with_pool!(app.db.write(), p => {
            sqlx::query(
                "INSERT INTO crisis_alerts (id, identifier, crisis_id, mission_id, msg_type, status, headline_ar, \
                 headline_en, description_ar, description_en, instruction_ar, instruction_en, category, event, \
                 response_type, urgency, severity, certainty, target, area_desc, audience, source, created_at, updated_at) \
                 SELECT $1, $1, k.id, k.mission_id, 'Alert', 'sending', 'فيضان', 'Flood warning', '', '', '', '', 'Met', \
                 'Flood', 'Shelter', 'Immediate', 'Severe', 'Observed', '{}', '', '{}', '', $2, $2 FROM crises k WHERE k.id = $3",
            )
            .bind(format!("{open}-al"))
            .bind(safir_store::now())
            .bind(&open)
            .execute(p)
            .await
            .map(|r| r.rows_affected())
        })
        .unwrap();
        let mut tx = app.db.begin().await.unwrap();
        checkins::create_batch(
            &mut tx,
            &format!("{open}-al"),
            Some(&open),
            std::slice::from_ref(&id),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let (counts, rows) = board().await;
        assert_eq!(counts.people.total(), 1, "still counted once");
        assert_eq!(rows[0].alert_id, Some(format!("{open}-al")));
    }
}

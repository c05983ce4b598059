use chrono::{TimeZone, Utc};
use safir_domain::crisis::alert::AlertForm;
use safir_domain::crisis::cap::{
    self, AtomEntry, CapAlert, CapArea, CapError, CapInfo, CapReference, Category, Certainty,
    MsgType, ResponseType, Scope, Severity, Status, Urgency,
};
use safir_domain::crisis::geo::{Circle, Point, Polygon};

use crate::tools::{available, xmllint_validate};

const SCHEMA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/cap/CAP-v1.2.xsd"
);
const NWS: &str = include_str!("../fixtures/nws-flash-flood-warning.xml");

fn info(language: &str, headline: &str) -> CapInfo {
    CapInfo {
        language: language.into(),
        categories: vec![Category::Safety, Category::Security],
        event: "Civil unrest".into(),
        response_types: vec![ResponseType::Shelter, ResponseType::Prepare],
        urgency: Urgency::Immediate,
        severity: Severity::Severe,
        certainty: Certainty::Observed,
        onset: Some(Utc.with_ymd_and_hms(2026, 11, 28, 18, 0, 0).unwrap()),
        expires: Some(Utc.with_ymd_and_hms(2026, 11, 30, 18, 0, 0).unwrap()),
        sender_name: Some("Embassy <Khartoum> & consulates".into()),
        headline: Some(headline.into()),
        description: Some("Fighting reported near the airport.\nStay indoors; keep \"essential\" documents ready.".into()),
        instruction: Some("Answer the safety check-in.".into()),
        web: Some("https://safir.example/crisis/c1?lang=en&x=1".into()),
        areas: vec![CapArea {
            area_desc: "Khartoum and Omdurman".into(),
            polygons: vec![Polygon::parse_cap("15.4,32.4 15.4,32.7 15.7,32.7 15.7,32.4 15.4,32.4").unwrap()],
            circles: vec![Circle::new(Point::new(15.5007, 32.5599).unwrap(), 25.0).unwrap()],
            geocodes: vec![("ISO3166-2".into(), "SD-KH".into())],
        }],
    }
}

fn alert() -> CapAlert {
    CapAlert {
        identifier: "safir-alert-0195f2c4".into(),
        sender: "consular@mfa.example".into(),
        sent: Utc.with_ymd_and_hms(2026, 11, 28, 17, 45, 12).unwrap(),
        status: Status::Actual,
        msg_type: MsgType::Update,
        scope: Scope::Public,
        references: vec![CapReference {
            sender: "consular@mfa.example".into(),
            identifier: "safir-alert-0195f2a0".into(),
            sent: Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap(),
        }],
        infos: vec![
            info("ar", "اشتباكات قرب المطار: ابقوا في منازلكم"),
            info("en", "Clashes near the airport: stay indoors"),
        ],
    }
}

#[test]
fn an_alert_written_as_cap_reads_back_equal() {
    let a = alert();
    let xml = a.to_xml();
    assert!(
        xml.contains("<sent>2026-11-28T17:45:12-00:00</sent>"),
        "{xml}"
    );
    assert!(xml.contains("<references>consular@mfa.example,safir-alert-0195f2a0,2026-11-28T12:00:00-00:00</references>"));
    assert!(!xml.contains("+00:00"), "CAP writes UTC as -00:00: {xml}");
    assert!(xml.contains("Embassy &lt;Khartoum&gt; &amp; consulates"));
    assert_eq!(cap::parse(&xml).unwrap(), a);
}

#[test]
fn sub_second_times_are_written_as_whole_seconds() {
    let mut a = alert();
    a.sent = Utc.with_ymd_and_hms(2026, 11, 28, 17, 45, 12).unwrap()
        + chrono::Duration::milliseconds(731);
    let xml = a.to_xml();
    assert!(
        xml.contains("<sent>2026-11-28T17:45:12-00:00</sent>"),
        "{xml}"
    );
}

#[test]
fn written_alerts_validate_against_the_oasis_schema() {
    if !available("xmllint") {
        return;
    }
    let minimal = CapAlert {
        msg_type: MsgType::Alert,
        references: vec![],
        infos: vec![],
        ..alert()
    };
    let mut bare_info = info("en", "x");
    bare_info.onset = None;
    bare_info.expires = None;
    bare_info.sender_name = None;
    bare_info.headline = None;
    bare_info.description = None;
    bare_info.instruction = None;
    bare_info.web = None;
    bare_info.response_types = vec![];
    bare_info.areas = vec![CapArea {
        area_desc: "Sudan".into(),
        polygons: vec![],
        circles: vec![],
        geocodes: vec![],
    }];
    let cancel = CapAlert {
        msg_type: MsgType::Cancel,
        infos: vec![bare_info],
        ..alert()
    };
    for (name, a) in [
        ("full.xml", alert()),
        ("minimal.xml", minimal),
        ("cancel.xml", cancel),
    ] {
        if let Err(e) = xmllint_validate(&a.to_xml(), SCHEMA, name) {
            panic!("xmllint rejected {name}: {e}\n{}", a.to_xml());
        }
    }
}

#[test]
fn the_schema_check_can_fail() {
    if !available("xmllint") {
        return;
    }
    // Category after event breaks the schema's order: the validator must say so.
    let xml = alert()
        .to_xml()
        .replacen("<category>Safety</category>", "", 1)
        .replacen(
            "<event>Civil unrest</event>",
            "<event>Civil unrest</event><category>Safety</category>",
            1,
        );
    assert!(xmllint_validate(&xml, SCHEMA, "broken.xml").is_err());
}

#[test]
fn a_foreign_authority_alert_is_imported() {
    let a = cap::parse(NWS).unwrap();
    assert_eq!(a.sender, "w-nws.webmaster@noaa.gov");
    assert_eq!(a.msg_type, MsgType::Update);
    assert_eq!(a.sent, Utc.with_ymd_and_hms(2026, 9, 15, 2, 47, 0).unwrap());
    assert_eq!(a.references.len(), 1);
    assert_eq!(
        a.references[0].sent,
        Utc.with_ymd_and_hms(2026, 9, 15, 1, 12, 0).unwrap()
    );
    assert_eq!(a.infos.len(), 2);
    let en = &a.infos[0];
    assert_eq!(en.language, "en-US");
    assert_eq!(en.categories, vec![Category::Met]);
    assert_eq!(en.response_types, vec![ResponseType::Avoid]);
    assert_eq!(
        en.expires,
        Some(Utc.with_ymd_and_hms(2026, 9, 15, 5, 45, 0).unwrap())
    );
    assert!(
        en.description
            .as_deref()
            .unwrap()
            .contains("small creeks & streams")
    );
    let area = &en.areas[0];
    assert_eq!(area.polygons[0].points.len(), 6);
    assert!(area.polygons[0].contains(Point::new(29.70, -95.60).unwrap()));
    assert_eq!(area.geocodes.len(), 4);
    assert_eq!(area.geocodes[2], ("UGC".to_owned(), "TXC157".to_owned()));
    assert_eq!(a.infos[1].areas[0].circles[0].radius_km, 25.0);
    // Re-published, the import is valid CAP 1.2 and reads back the same.
    assert_eq!(cap::parse(&a.to_xml()).unwrap(), a);
    if available("xmllint") {
        xmllint_validate(NWS, SCHEMA, "nws.xml").expect("the fixture itself is valid CAP");
        xmllint_validate(&a.to_xml(), SCHEMA, "nws-out.xml").expect("re-published import");
    }
}

#[test]
fn areas_of_every_info_block_are_imported() {
    // The English block draws a polygon, the Spanish one a circle over the same counties:
    // the draft covers both, and names the counties once.
    let form = AlertForm::from_cap(&cap::parse(NWS).unwrap());
    assert_eq!(form.polygons.lines().count(), 1, "{}", form.polygons);
    assert_eq!(form.circles, "29.7,-95.6 25");
    assert_eq!(form.area_desc, "Fort Bend, TX; Harris, TX");
    // A block that repeats the first one's shapes adds nothing.
    let twice = nws_with(
        "<circle>29.70,-95.60 25</circle>",
        "<polygon>29.79,-95.79 29.82,-95.52 29.64,-95.43 29.51,-95.58 29.55,-95.77 29.79,-95.79</polygon>",
    );
    let form = AlertForm::from_cap(&cap::parse(&twice).unwrap());
    assert_eq!(form.circles, "");
    assert_eq!(form.polygons.lines().count(), 1);
    assert_eq!(form.area_desc, "Fort Bend, TX; Harris, TX");
    // A later block's area that names counties by code only cannot be targeted: its name stays,
    // so that staff see the draft does not reach it.
    let coded = nws_with(
        "<areaDesc>Fort Bend, TX; Harris, TX</areaDesc>\n            <circle>29.70,-95.60 25</circle>",
        "<areaDesc>Galveston, TX</areaDesc>\n            \
         <geocode><valueName>UGC</valueName><value>TXC167</value></geocode>",
    );
    let form = AlertForm::from_cap(&cap::parse(&coded).unwrap());
    assert_eq!(form.circles, "");
    assert_eq!(form.area_desc, "Fort Bend, TX; Harris, TX; Galveston, TX");
}

fn nws_with(from: &str, to: &str) -> String {
    assert!(NWS.contains(from), "{from}");
    NWS.replacen(from, to, 1)
}

#[test]
fn a_point_circle_is_read_as_the_specification_writes_it() {
    // CAP 1.2's own example marks a point with a circle of radius 0.
    let a = cap::parse(&nws_with(
        "<circle>29.70,-95.60 25</circle>",
        "<circle>29.70,-95.60 0</circle>",
    ))
    .unwrap();
    let circle = &a.infos[1].areas[0].circles[0];
    assert_eq!(circle.radius_km, 0.0);
}

#[test]
fn a_missing_identifier_is_named() {
    let xml = nws_with(
        "<identifier>urn:oid:2.49.0.1.840.0.4a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b.001.1</identifier>",
        "",
    );
    let e = cap::parse(&xml).unwrap_err();
    assert_eq!(
        e,
        CapError::Missing {
            element: "identifier",
            parent: "alert",
            line: 2
        }
    );
    assert_eq!(e.to_string(), "line 2: <alert> has no <identifier>");
}

#[test]
fn a_bad_urgency_is_named_with_its_line_and_the_allowed_values() {
    let e = cap::parse(&nws_with(
        "<urgency>Immediate</urgency>",
        "<urgency>Soon</urgency>",
    ))
    .unwrap_err();
    assert_eq!(e.code(), "token");
    assert_eq!(e.element(), Some("urgency"));
    assert_eq!(e.line(), 16);
    let text = e.to_string();
    assert!(
        text.contains("\"Soon\"") && text.contains("Immediate, Expected, Future, Past, Unknown"),
        "{text}"
    );
}

#[test]
fn an_unclosed_polygon_is_named() {
    let e = cap::parse(&nws_with(
        "29.55,-95.77 29.79,-95.79</polygon>",
        "29.55,-95.77</polygon>",
    ))
    .unwrap_err();
    assert_eq!(e.element(), Some("polygon"));
    assert_eq!(e.line(), 59);
    assert_eq!(
        e.geo().map(|g| (g.code(), g.point())),
        Some(("not-closed", Some(5)))
    );
    assert!(
        e.to_string()
            .starts_with("line 59: <polygon>: the polygon is not closed"),
        "{e}"
    );
}

#[test]
fn other_invalid_cap_is_named() {
    let bad_time = cap::parse(&nws_with(
        "<sent>2026-09-14T21:47:00-05:00</sent>",
        "<sent>yesterday</sent>",
    ))
    .unwrap_err();
    assert_eq!(
        (bad_time.code(), bad_time.element(), bad_time.line()),
        ("time", Some("sent"), 5)
    );
    let bad_circle = cap::parse(&nws_with(
        "<circle>29.70,-95.60 25</circle>",
        "<circle>29.70,-95.60</circle>",
    ))
    .unwrap_err();
    assert_eq!(bad_circle.element(), Some("circle"));
    let no_category = cap::parse(&nws_with("<category>Met</category>", "")).unwrap_err();
    assert_eq!(no_category.element(), Some("category"));
    assert_eq!(no_category.line(), 11);
    let bad_ref = cap::parse(&nws_with(
        ",2026-09-14T20:12:00-05:00</references>",
        "</references>",
    ))
    .unwrap_err();
    assert_eq!(bad_ref.element(), Some("references"));
    let spaced_id = cap::parse(&nws_with(
        "<sender>w-nws.webmaster@noaa.gov</sender>",
        "<sender>NWS Houston</sender>",
    ))
    .unwrap_err();
    assert_eq!(spaced_id.code(), "value");
    let malformed = cap::parse(&nws_with("</scope>", "</scop>")).unwrap_err();
    assert_eq!((malformed.code(), malformed.line()), ("xml", 8));
    let other = cap::parse("<feed xmlns=\"http://www.w3.org/2005/Atom\"/>").unwrap_err();
    assert_eq!(other.code(), "not-cap");
}

#[test]
fn the_atom_feed_lists_alerts() {
    let entries = [AtomEntry {
        id: "urn:uuid:0195f2c4-0000-7000-8000-000000000001".into(),
        title: "Clashes near the airport & the bridge".into(),
        updated: Utc.with_ymd_and_hms(2026, 11, 28, 17, 45, 12).unwrap(),
        summary: "Stay indoors".into(),
        link: "https://safir.example/cap/a1.xml?x=1&y=2".into(),
    }];
    let feed = cap::atom_feed(
        "Safir alerts",
        "https://safir.example/cap/feed.atom",
        &entries,
    );
    assert!(feed.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">"));
    assert!(feed.contains("<updated>2026-11-28T17:45:12Z</updated>"));
    assert!(feed.contains(
        "type=\"application/cap+xml\" href=\"https://safir.example/cap/a1.xml?x=1&amp;y=2\""
    ));
    assert!(feed.contains("<title>Clashes near the airport &amp; the bridge</title>"));
    let empty = cap::atom_feed("Safir alerts", "https://safir.example/cap/feed.atom", &[]);
    assert!(empty.contains("<updated>1970-01-01T00:00:00Z</updated>"));
    if available("xmllint") {
        for (name, doc) in [("feed.atom", &feed), ("empty.atom", &empty)] {
            let dir = std::env::temp_dir().join(format!("safir-atom-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let file = dir.join(name);
            std::fs::write(&file, doc).unwrap();
            let out = std::process::Command::new("xmllint")
                .arg("--noout")
                .arg(&file)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

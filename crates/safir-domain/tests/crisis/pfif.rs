use chrono::{TimeZone, Utc};
use safir_domain::crisis::pfif::{self, NoteStatus, PfifDocument, PfifNote, PfifPerson};

const SAMPLE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/pfif/sample-pfif-1.4.xml"
));

#[test]
fn the_sample_reads_whole() {
    let doc = pfif::parse(SAMPLE).unwrap();
    assert_eq!(doc.persons.len(), 1);
    assert!(doc.notes.is_empty());
    let p = &doc.persons[0];
    assert_eq!(p.person_record_id, "test.google.com/person.21009");
    assert_eq!(p.full_name, "_test_full_name1\n_test_full_name2");
    assert_eq!(p.given_name.as_deref(), Some("_test_given_name"));
    assert_eq!(
        p.alternate_names.as_deref(),
        Some("_test_alternate_name1\n_test_alternate_name2")
    );
    assert_eq!(p.sex.as_deref(), Some("female"));
    assert_eq!(p.date_of_birth.as_deref(), Some("1970-01"));
    assert_eq!(p.age.as_deref(), Some("35-45"));
    assert_eq!(
        p.home_city.as_deref(),
        Some("_test_home_city"),
        "surrounding whitespace is stripped"
    );
    assert_eq!(p.home_country.as_deref(), Some("US"));
    assert_eq!(p.photo_url.as_deref(), Some("_test_photo_url"));
    assert_eq!(
        p.source_date,
        Some(Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap())
    );
    assert_eq!(
        p.entry_date,
        Some(Utc.with_ymd_and_hms(2000, 1, 16, 2, 7, 57).unwrap())
    );

    assert_eq!(p.notes.len(), 4);
    let ids: Vec<&str> = p.notes.iter().map(|n| n.note_record_id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "test.google.com/note.27009",
            "test.google.com/note.31095",
            "test.google.com/note.40121",
            "test.google.com/note.50121"
        ]
    );
    assert!(
        p.notes
            .iter()
            .all(|n| n.person_record_id == p.person_record_id),
        "nested notes take the person's id"
    );
    let first = &p.notes[0];
    assert_eq!(first.status, Some(NoteStatus::BelievedMissing));
    assert_eq!(first.author_made_contact, Some(false));
    assert_eq!(
        first.email_of_found_person.as_deref(),
        Some("_test_email_of_found_person")
    );
    assert_eq!(
        first.last_known_location.as_deref(),
        Some("_test_last_known_location")
    );
    assert_eq!(first.text, "_test_text");
    let second = &p.notes[1];
    assert_eq!(
        (second.status, second.author_made_contact),
        (None, Some(true))
    );
    assert_eq!(
        second.email_of_found_person, None,
        "an empty element is absent"
    );
    assert_eq!(p.notes[2].status, Some(NoteStatus::IsNoteAuthor));
    assert_eq!(p.notes[2].author_name, None);
    assert_eq!(pfif::checkin_status_for_note(&p.notes[2]), Some("safe"));
    assert_eq!(doc.all_notes().count(), 4);
}

#[test]
fn the_sample_round_trips() {
    let doc = pfif::parse(SAMPLE).unwrap();
    let xml = pfif::to_xml(&doc);
    assert!(
        xml.contains("<pfif:pfif xmlns:pfif=\"http://zesty.ca/pfif/1.4\">"),
        "{xml}"
    );
    assert!(xml.contains("<pfif:source_date>2000-01-16T04:05:06Z</pfif:source_date>"));
    assert_eq!(pfif::parse(&xml).unwrap(), doc);
}

#[test]
fn top_level_notes_and_escaping_round_trip() {
    let person = PfifPerson {
        person_record_id: "safir.example/person.r1".into(),
        full_name: "أمينة <حداد> & Co".into(),
        home_country: Some("SD".into()),
        ..PfifPerson::default()
    };
    let note = PfifNote {
        note_record_id: "safir.example/note.c1".into(),
        person_record_id: "safir.example/person.r1".into(),
        author_made_contact: Some(true),
        status: Some(NoteStatus::InformationSought),
        last_known_location: Some("15.5 32.56".into()),
        text: "Needs help: \"insulin\" & water".into(),
        source_date: Some(Utc.with_ymd_and_hms(2026, 11, 28, 19, 0, 0).unwrap()),
        ..PfifNote::default()
    };
    let doc = PfifDocument {
        persons: vec![person],
        notes: vec![note],
    };
    assert_eq!(pfif::parse(&pfif::to_xml(&doc)).unwrap(), doc);
}

fn sample_with(from: &str, to: &str) -> String {
    assert!(SAMPLE.contains(from), "{from}");
    SAMPLE.replacen(from, to, 1)
}

#[test]
fn malformed_records_name_the_element() {
    let e = pfif::parse(&sample_with(
        "<pfif:status>believed_missing</pfif:status>",
        "<pfif:status>fine</pfif:status>",
    ))
    .unwrap_err();
    assert_eq!(
        (e.code(), e.element(), e.line()),
        ("value", Some("status"), 50)
    );
    let e = pfif::parse(&sample_with(
        "<pfif:author_made_contact>false</pfif:author_made_contact>",
        "<pfif:author_made_contact>maybe</pfif:author_made_contact>",
    ))
    .unwrap_err();
    assert_eq!(e.element(), Some("author_made_contact"));
    let e = pfif::parse(&sample_with("<pfif:person_record_id>test.google.com/person.21009</pfif:person_record_id>\n    <pfif:photo_url>", "<pfif:photo_url>")).unwrap_err();
    assert_eq!(e.element(), Some("person_record_id"));
    assert_eq!(e.line(), 3);
    assert_eq!(e.to_string(), "line 3: <person> has no <person_record_id>");
    let e = pfif::parse(&sample_with(
        "<pfif:note_record_id>test.google.com/note.40121</pfif:note_record_id>",
        "",
    ))
    .unwrap_err();
    assert_eq!(e.element(), Some("note_record_id"));
    let e = pfif::parse(&sample_with(
        "<pfif:source_date>2000-01-01T00:00:00Z</pfif:source_date>",
        "<pfif:source_date>1 Jan 2000</pfif:source_date>",
    ))
    .unwrap_err();
    assert_eq!(e.element(), Some("source_date"));
    let e = pfif::parse(&sample_with(
        "<pfif:sex>female</pfif:sex>",
        "<pfif:sex>f</pfif:sex>",
    ))
    .unwrap_err();
    assert_eq!(e.element(), Some("sex"));
    let e = pfif::parse(&sample_with(
        "<pfif:age>35-45</pfif:age>",
        "<pfif:age>about forty</pfif:age>",
    ))
    .unwrap_err();
    assert_eq!(e.element(), Some("age"));
    let e = pfif::parse(&sample_with(
        "<pfif:person_record_id>test.google.com/person.21009</pfif:person_record_id>\n      <pfif:linked",
        "<pfif:person_record_id>test.google.com/person.1</pfif:person_record_id>\n      <pfif:linked",
    ))
    .unwrap_err();
    assert_eq!(e.element(), Some("person_record_id"));
    let e = pfif::parse(&sample_with("</pfif:given_name>", "</pfif:given>")).unwrap_err();
    assert_eq!(e.code(), "xml");
    let e = pfif::parse("<pfif xmlns=\"http://example.org/other\"/>").unwrap_err();
    assert_eq!(e.code(), "not-pfif");
    let orphan = "<pfif:pfif xmlns:pfif=\"http://zesty.ca/pfif/1.4\"><pfif:note><pfif:note_record_id>a/n.1</pfif:note_record_id><pfif:text>x</pfif:text></pfif:note></pfif:pfif>";
    let e = pfif::parse(orphan).unwrap_err();
    assert_eq!(
        e.element(),
        Some("person_record_id"),
        "a top-level note names its person"
    );
}

#[test]
fn a_pfif_1_2_person_is_named_by_first_and_last_name() {
    let doc = pfif::parse(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.2">
  <pfif:person>
    <pfif:person_record_id>finder.example/person.1</pfif:person_record_id>
    <pfif:first_name>Layla</pfif:first_name>
    <pfif:last_name>Haddad</pfif:last_name>
  </pfif:person>
  <pfif:person>
    <pfif:person_record_id>finder.example/person.2</pfif:person_record_id>
    <pfif:last_name>الحداد</pfif:last_name>
  </pfif:person>
</pfif:pfif>"#,
    )
    .unwrap();
    let p = &doc.persons[0];
    assert_eq!(p.full_name, "Layla Haddad");
    assert_eq!(p.given_name.as_deref(), Some("Layla"));
    assert_eq!(p.family_name.as_deref(), Some("Haddad"));
    assert_eq!(doc.persons[1].full_name, "الحداد");
    // No name at all is still named as missing.
    let e = pfif::parse(
        r#"<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.2"><pfif:person>
<pfif:person_record_id>finder.example/person.3</pfif:person_record_id></pfif:person></pfif:pfif>"#,
    )
    .unwrap_err();
    assert!(e.to_string().contains("full_name"), "{e}");
}

use eac_model::TechnologyType;
use eac_registry::mapped::{self, Field, Mapping};
use eac_registry::{Claim, Locator, Status};

use crate::{facts, fixture, message_at, summary, utf16};

fn s(t: &str) -> String {
    t.to_owned()
}

fn mapping(path: &str) -> Mapping {
    serde_json::from_slice(&fixture(path)).unwrap()
}

#[test]
fn a_go_export_with_decimal_commas_preamble_and_range_column() {
    let m = mapping("mapped/go-cancellations.mapping.json");
    m.validate().unwrap();
    let bytes = fixture("mapped/go-cancellations.csv");
    assert!(mapped::sniff(&bytes, &m));
    let st = mapped::read(&bytes, &m).unwrap();
    assert!(st.skipped.is_empty());
    // Its key is not the GO statements' (`eecs`): said once, for the file.
    let warnings: Vec<(&Locator, &str)> = (st.warnings.iter())
        .map(|w| (&w.at, w.message.as_str()))
        .collect();
    assert_eq!(
        warnings,
        [(
            &Locator::Document,
            "mapping `NECS cancellations`: the registry key `eecs-no` looks like `eecs`, the \
             key of the Guarantee of Origin cancellation statement reader (NECS, Danish), but is \
             not it: ranges are compared for overlaps only within one key, so certificates \
             imported with this mapping and the same certificates from that reader's documents \
             would be stored twice and `eacdesk check` would not see it. If the file lists that \
             registry's certificates, write `\"registry\": \"eecs\"` in the mapping and save \
             it again (docs/mapping.md, Registry keys)"
        )]
    );
    assert_eq!(st.ranges.len(), 3);

    let a = &st.ranges[0];
    assert_eq!(
        a.at,
        Locator::Line(4),
        "two preamble lines and the header come first"
    );
    assert_eq!(
        (
            a.registry.as_str(),
            a.source_id.as_str(),
            a.source_name.as_str()
        ),
        ("eecs-no", "Statnett", "Statnett (NECS)")
    );
    // 30-digit numbers exact; `1.000,000` MWh over 1000 certificates.
    assert_eq!(
        summary(a),
        (
            s("643002406000000000000000000001"),
            s("643002406000000000000000001000"),
            s("1000"),
            s("1 MWh"),
            s("cancelled"),
            s("2022-12-31T23:00:00Z"),
            s("2023-01-31T23:00:00Z"),
        )
    );
    assert_eq!(a.claim, Claim::On("2024-02-15".parse().unwrap()));
    assert_eq!(a.issued, None);
    assert_eq!(a.device.id, "707057500000000001");
    assert_eq!(a.device.name.as_deref(), Some("Øvre Foss kraftverk"));
    assert_eq!(
        a.device.technology.as_deref(),
        Some("Hydro"),
        "trailing space trimmed"
    );
    assert_eq!(a.device.technology_type, Some(TechnologyType::Hydro));
    assert_eq!(
        a.beneficiary_name.as_deref(),
        Some("Acme AS; Oslo"),
        "quoted delimiter"
    );
    assert_eq!(a.holder.as_deref(), Some("Kraft Trading AS"));
    assert_eq!(facts(a), [("country_of_consumption", "NO")]);

    let b = &st.ranges[1];
    assert_eq!(b.at, Locator::Line(5));
    assert_eq!((b.count.as_str(), b.per_certificate.as_str()), ("500", "1"));
    assert_eq!(
        (b.status.clone(), b.claim.clone()),
        (Status::Cancelled, Claim::Undated)
    );
    assert_eq!(b.device.technology_type, Some(TechnologyType::Wind));
    assert_eq!(b.period_end.to_string(), "2023-02-28T23:00:00Z");

    // `2,5` MWh over 4 certificates: 0.625 each, exactly. Expired: never
    // retired. A technology the mapping's table lacks stays unmapped.
    let c = &st.ranges[2];
    assert_eq!(
        (c.count.as_str(), c.per_certificate.as_str()),
        ("4", "0.625")
    );
    assert_eq!(
        (c.status.clone(), c.claim.clone()),
        (Status::Expired, Claim::No)
    );
    assert_eq!(c.device.technology.as_deref(), Some("Solar thermal"));
    assert_eq!(c.device.technology_type, None);
    assert_eq!(c.beneficiary_name, None);
    assert_eq!(
        c.period_end.to_string(),
        "2023-03-31T22:00:00Z",
        "summer time from 26 March"
    );
    assert!(facts(c).is_empty());
}

#[test]
fn a_headerless_us_file_by_column_numbers_with_month_first_dates() {
    let m = mapping("mapped/us-retirements-noheader.mapping.json");
    m.validate().unwrap();
    let st = mapped::read(&fixture("mapped/us-retirements-noheader.csv"), &m).unwrap();
    assert_eq!(st.ranges.len(), 2);
    let a = &st.ranges[0];
    assert_eq!(a.at, Locator::Line(1));
    assert_eq!(
        summary(a),
        (
            s("W123-CA-01-2023-1001"),
            s("W123-CA-01-2023-2000"),
            s("1000"),
            s("1 MWh"),
            s("retired"),
            s("2023-01-01T08:00:00Z"),
            s("2023-02-01T08:00:00Z"),
        )
    );
    assert_eq!(a.claim, Claim::On("2023-02-15".parse().unwrap()));
    assert_eq!(a.device.id, "GEN-001");
    assert_eq!(a.device.technology_type, Some(TechnologyType::Solar));
    assert_eq!(a.beneficiary_name.as_deref(), Some("City of Springfield"));
    assert_eq!(a.holder, None);

    let b = &st.ranges[1];
    assert_eq!(b.device.name.as_deref(), Some("Windy Ridge, Unit 2"));
    assert_eq!(b.count.as_str(), "1");
    assert_eq!(
        b.claim,
        Claim::On("2023-03-01".parse().unwrap()),
        "MM-DD-YYYY"
    );
    assert_eq!(
        b.device.technology_type, None,
        "`Wind` is not in this mapping's table"
    );
    assert_eq!(b.beneficiary_name, None);
    assert_eq!(b.period_start.to_string(), "2023-02-01T08:00:00Z");
}

#[test]
fn a_count_that_disagrees_with_the_range_names_line_and_column() {
    let m = mapping("mapped/us-retirements-noheader.mapping.json");
    let csv = "GEN-001,Sun,Solar,Jan-2023,W-1001,W-2000,\"1,000\",02/15/2023,X\n\
               GEN-001,Sun,Solar,Jan-2023,W-2001,W-2100,99,02/15/2023,X\n";
    let msg = message_at(
        mapped::read(csv.as_bytes(), &m).unwrap_err(),
        Locator::Line(2),
    );
    assert!(msg.starts_with("column 7:"), "{msg}");
    assert!(
        msg.contains("count 99") && msg.contains("holds 100"),
        "{msg}"
    );
}

#[test]
fn bad_cells_are_refused_with_line_and_column_name() {
    let m = mapping("mapped/go-cancellations.mapping.json");
    let head = "t\nt\nGSRN;Device name;Technology;Production from;Production to;Certificate numbers;Volume (MWh);Status;Cancellation date;Beneficiary;Account holder;Country of consumption\n";
    let read = |row: &str| mapped::read(format!("{head}{row}\n").as_bytes(), &m).unwrap_err();
    // A decimal point in a decimal-comma file is not read as a thousands group.
    let msg = message_at(
        read("1;D;Hydro;01.01.2023;31.01.2023;1 - 4;2.5;Issued;;;;"),
        Locator::Line(4),
    );
    assert!(
        msg.contains("`Volume (MWh)` (7)") && msg.contains("decimal comma"),
        "{msg}"
    );
    // A total that does not split evenly.
    let msg = message_at(
        read("1;D;Hydro;01.01.2023;31.01.2023;1 - 3;1;Issued;;;;"),
        Locator::Line(4),
    );
    assert!(msg.contains("divide exactly"), "{msg}");
    // Month-first date in a day-first file.
    let msg = message_at(
        read("1;D;Hydro;01.31.2023;31.01.2023;1 - 4;1;Issued;;;;"),
        Locator::Line(4),
    );
    assert!(
        msg.contains("`Production from` (4)") && msg.contains("`01.31.2023`"),
        "{msg}"
    );
    // No separator in the range.
    let msg = message_at(
        read("1;D;Hydro;01.01.2023;31.01.2023;1 to 4;1;Issued;;;;"),
        Locator::Line(4),
    );
    assert!(
        msg.contains("`Certificate numbers` (6)") && msg.contains("` - `"),
        "{msg}"
    );
    // Numbers with different prefixes cannot be counted.
    let msg = message_at(
        read("1;D;Hydro;01.01.2023;31.01.2023;A1 - B4;1;Issued;;;;"),
        Locator::Line(4),
    );
    assert!(msg.contains("A1 … B4 cannot be counted"), "{msg}");
    // An empty device id.
    let msg = message_at(
        read(";D;Hydro;01.01.2023;31.01.2023;1 - 4;1;Issued;;;;"),
        Locator::Line(4),
    );
    assert!(msg.contains("`GSRN` (1)") && msg.contains("empty"), "{msg}");
    // A column the header lacks.
    let mut other = m.clone();
    other.holder = Some(Field::Column("Owner".into()));
    let err = mapped::read(&fixture("mapped/go-cancellations.csv"), &other).unwrap_err();
    let msg = message_at(err, Locator::Line(3));
    assert!(msg.contains("`Owner`") && msg.contains("`GSRN`"), "{msg}");
    assert!(!mapped::sniff(
        &fixture("mapped/go-cancellations.csv"),
        &other
    ));
}

/// Decision 75, as the Ofgem and EnergyTag readers do it: a status no
/// reader knows (`annulé`) is kept as printed and is no claim, with a
/// warning naming the line, the column and the value (and the claim date
/// the row prints, kept as `status_date`).
#[test]
fn an_unknown_status_is_kept_as_printed_with_a_warning() {
    let mut m = mapping("mapped/go-cancellations.mapping.json");
    m.registry = s("eecs");
    let head = "t\nt\nGSRN;Device name;Technology;Production from;Production to;Certificate numbers;Volume (MWh);Status;Cancellation date;Beneficiary;Account holder;Country of consumption\n";
    let rows = "1;D;Hydro;01.01.2023;31.01.2023;1 - 4;4;annulé;15.03.2024;;;\n\
                1;D;Hydro;01.01.2023;31.01.2023;5 - 8;4;Cancelled;15.03.2024;;;\n\
                1;D;Hydro;01.01.2023;31.01.2023;9 - 9;1;Gesperrt;;;;\n";
    let st = mapped::read(format!("{head}{rows}").as_bytes(), &m).unwrap();
    let got: Vec<(Status, Claim)> = st
        .ranges
        .iter()
        .map(|r| (r.status.clone(), r.claim.clone()))
        .collect();
    assert_eq!(
        got,
        [
            (Status::Other("annulé".into()), Claim::No),
            (Status::Cancelled, Claim::On("2024-03-15".parse().unwrap())),
            (Status::Other("gesperrt".into()), Claim::No),
        ]
    );
    assert_eq!(facts(&st.ranges[0]), [("status_date", "2024-03-15")]);
    assert_eq!(st.warnings.len(), 2, "{:?}", st.warnings);
    assert_eq!(st.warnings[0].at, Locator::Line(4));
    let w = &st.warnings[0].message;
    assert!(w.contains("`Status` (8)") && w.contains("`annulé`"), "{w}");
    assert!(w.contains("not counted as a claim"), "{w}");
    assert!(w.contains("15.03.2024"), "{w}");
    assert_eq!(st.warnings[1].at, Locator::Line(6));
    assert!(st.warnings[1].message.contains("`Gesperrt`"));
}

/// A row's total energy is the EAC's value as written: `1.234,5` MWh over
/// 100 certificates is 1234.5 MWh (not 100 × 12.345 = 1234.500), `3,0`
/// over 3 is 3.0 (not 3 × 1 = 3). Only the decimal comma becomes a point.
#[test]
fn a_total_energy_keeps_its_written_precision() {
    let m = mapping("mapped/go-cancellations.mapping.json");
    let head = "t\nt\nGSRN;Device name;Technology;Production from;Production to;Certificate numbers;Volume (MWh);Status;Cancellation date;Beneficiary;Account holder;Country of consumption\n";
    let rows = "1;D;Hydro;01.01.2023;31.01.2023;101 - 200;\"1.234,5\";Issued;;;;\n\
                1;D;Hydro;01.01.2023;31.01.2023;1 - 3;3,0;Issued;;;;\n\
                1;D;Hydro;01.01.2023;31.01.2023;4 - 7;2,50;Issued;;;;\n";
    let st = mapped::read(format!("{head}{rows}").as_bytes(), &m).unwrap();
    let now = eac_model::Timestamp::parse("2026-01-01T00:00:00Z").unwrap();
    let values: Vec<String> = st
        .ranges
        .iter()
        .map(|r| {
            eac_registry::to_eac(r, now).values[0]
                .value
                .as_str()
                .to_owned()
        })
        .collect();
    assert_eq!(values, ["1234.5", "3.0", "2.50"]);
    // The energy per certificate is still said, exactly.
    let per: Vec<&str> = st
        .ranges
        .iter()
        .map(|r| r.per_certificate.as_str())
        .collect();
    assert_eq!(per, ["12.345", "1", "0.625"]);
    // The fixture's `1.000,000` MWh over 1000 certificates: 1000.000 MWh.
    let st = mapped::read(&fixture("mapped/go-cancellations.csv"), &m).unwrap();
    let first = eac_registry::to_eac(&st.ranges[0], now);
    assert_eq!(first.values[0].value.as_str(), "1000.000");
}

/// A mapped file saved with CR line ends only: the preamble lines are
/// skipped and the rows located as in the same file with LF or CRLF.
#[test]
fn cr_only_line_ends_skip_the_preamble_and_locate_rows() {
    let m = mapping("mapped/go-cancellations.mapping.json");
    let lf = fixture("mapped/go-cancellations.csv");
    let text = std::str::from_utf8(&lf).unwrap();
    for ends in ["\r", "\r\n"] {
        let bytes = text.replace("\r\n", "\n").replace('\n', ends).into_bytes();
        assert!(mapped::sniff(&bytes, &m), "{ends:?}");
        let st = mapped::read(&bytes, &m).unwrap();
        let lines: Vec<Locator> = st.ranges.iter().map(|r| r.at.clone()).collect();
        assert_eq!(
            lines,
            [Locator::Line(4), Locator::Line(5), Locator::Line(6)],
            "{ends:?}"
        );
        let p = mapped::preview(&bytes, &m, 1).unwrap();
        assert_eq!(p.header.unwrap()[0], "GSRN");
        assert_eq!(p.rows[0].line, 4);
    }
}

/// A mapped CSV saved as UTF-16 with its byte order mark reads as the
/// UTF-8 file does (decision 77: UTF-16 with a BOM is text), names and all.
#[test]
fn a_utf16_file_reads_like_the_utf8_one() {
    let m = mapping("mapped/go-cancellations.mapping.json");
    let utf8 = fixture("mapped/go-cancellations.csv");
    let expected = mapped::read(&utf8, &m).unwrap();
    for little_endian in [true, false] {
        let bytes = utf16(&utf8, little_endian);
        assert!(mapped::sniff(&bytes, &m));
        assert_eq!(mapped::read(&bytes, &m).unwrap(), expected);
        let p = mapped::preview(&bytes, &m, 1).unwrap();
        assert_eq!(p.rows[0].cells[1], "Øvre Foss kraftverk");
    }
}

#[test]
fn validate_names_everything_missing_at_once() {
    let problems = Mapping::default().validate().unwrap_err().0;
    let all = problems.join("\n");
    for what in [
        "no name",
        "registry key",
        "issuing body",
        "time zone",
        "certificate numbers",
        "energy per certificate",
        "unit",
        "status",
        "production period",
        "device id",
    ] {
        assert!(all.contains(what), "`{what}` not named in:\n{all}");
    }
    let mut m = mapping("mapped/us-retirements-noheader.mapping.json");
    m.device_name = Some(Field::Column("Name".into()));
    m.unit = Some(Field::Value("GJ".into()));
    m.time_zone = "Pacific Time".into();
    let all = m.validate().unwrap_err().to_string();
    assert!(all.contains("`Name`") && all.contains("no header"), "{all}");
    assert!(all.contains("`GJ`"), "{all}");
    assert!(all.contains("`Pacific Time`"), "{all}");
    // read refuses an incomplete mapping before looking at rows.
    let err = mapped::read(b"a,b\n", &m).unwrap_err();
    assert_eq!(err.at, Locator::Document);
    assert!(err.message.contains("not complete"), "{}", err.message);
}

#[test]
fn a_mapping_saves_and_loads_as_json() {
    let m = mapping("mapped/go-cancellations.mapping.json");
    let text = serde_json::to_string_pretty(&m).unwrap();
    assert!(
        text.contains("\"number_style\": \"decimal_comma\""),
        "{text}"
    );
    assert!(text.contains("\"Hydro\": \"hydro\""), "{text}");
    let back: Mapping = serde_json::from_str(&text).unwrap();
    assert_eq!(back, m);
}

#[test]
fn preview_shows_the_header_and_first_rows_even_for_an_unfinished_mapping() {
    let m = Mapping {
        delimiter: ';',
        skip_lines: 2,
        ..Mapping::default()
    };
    let p = mapped::preview(&fixture("mapped/go-cancellations.csv"), &m, 2).unwrap();
    let header = p.header.unwrap();
    assert_eq!(header.len(), 12);
    assert_eq!(header[0], "GSRN");
    assert_eq!(header[11], "Country of consumption");
    assert_eq!(p.rows.len(), 2);
    assert_eq!(p.rows[0].line, 4);
    assert_eq!(p.rows[0].cells[9], "Acme AS; Oslo");
    assert_eq!(p.rows[1].line, 5);
    assert_eq!(p.rows[1].cells[1], "Vindpark Nord");

    let m = Mapping {
        has_header: false,
        ..Mapping::default()
    };
    let p = mapped::preview(&fixture("mapped/us-retirements-noheader.csv"), &m, 10).unwrap();
    assert_eq!(p.header, None);
    assert_eq!(p.rows.len(), 2);
    assert_eq!(p.rows[1].cells[1], "Windy Ridge, Unit 2");
}

#[test]
fn a_zero_count_is_refused_and_a_date_of_an_unclaimed_row_is_kept_as_a_fact() {
    let mut m = mapping("mapped/us-retirements-noheader.mapping.json");
    let zero = "GEN-001,Sun,Solar,Jan-2023,W-1,W-5,0,02/15/2023,X\n";
    let msg = message_at(
        mapped::read(zero.as_bytes(), &m).unwrap_err(),
        Locator::Line(1),
    );
    assert!(
        msg.starts_with("column 7:") && msg.contains("more than 0"),
        "{msg}"
    );

    m.status = Some(Field::Value("issued".into()));
    let row = "GEN-001,Sun,Solar,Jan-2023,W-1,W-5,5,02/15/2023,\n";
    let st = mapped::read(row.as_bytes(), &m).unwrap();
    assert_eq!(st.ranges[0].status, Status::Issued);
    assert_eq!(st.ranges[0].claim, Claim::No);
    assert_eq!(facts(&st.ranges[0]), [("status_date", "2023-02-15")]);
}

/// A row with fewer cells than the header, or without a header than the
/// highest column the mapping reads: the missing cells were read as empty
/// (a cut file lost its last beneficiary without a word). Cells that are
/// there but empty are fine.
#[test]
fn a_row_with_fewer_cells_than_the_header_or_the_mapping_reads_is_refused() {
    let m = mapping("mapped/go-cancellations.mapping.json");
    let text = String::from_utf8(fixture("mapped/go-cancellations.csv")).unwrap();
    let cut = &text[..text.rfind(";Kraft Trading AS;").unwrap()];
    let msg = message_at(
        mapped::read(cut.as_bytes(), &m).unwrap_err(),
        Locator::Line(6),
    );
    assert!(
        msg.starts_with("this row has 10 cells but the header (line 3) has 12"),
        "{msg}"
    );
    let m = mapping("mapped/us-retirements-noheader.mapping.json");
    let text = String::from_utf8(fixture("mapped/us-retirements-noheader.csv")).unwrap();
    let cut = &text[..text.rfind(",03-01-2023,").unwrap()];
    let msg = message_at(
        mapped::read(cut.as_bytes(), &m).unwrap_err(),
        Locator::Line(2),
    );
    assert!(
        msg.starts_with("this row has 7 cells but mapping `WREGIS retirements` reads column 9"),
        "{msg}"
    );
}

/// Without a header the first row's count, trailing empty cells and all,
/// was the cells every row needed: a first row ending `,,` refused every
/// later row that held each column the mapping reads. A row needs cells
/// up to the highest column number the mapping reads (9 here), no more.
#[test]
fn a_headerless_row_needs_the_columns_the_mapping_reads_not_the_first_rows_count() {
    let m = mapping("mapped/us-retirements-noheader.mapping.json");
    let text = String::from_utf8(fixture("mapped/us-retirements-noheader.csv")).unwrap();
    let (first, second) = text.split_once('\n').unwrap();
    // The first row with two trailing empty cells (11), the second as it
    // is (9, its last one empty).
    let wide = format!("{},,\n{second}", first.trim_end_matches('\r'));
    let st = mapped::read(wide.as_bytes(), &m).unwrap();
    assert_eq!(st.ranges.len(), 2);
    assert_eq!(st.ranges, mapped::read(text.as_bytes(), &m).unwrap().ranges);

    // A row that stops before column 9 is still refused, first row or not.
    let second_short = second.trim_end().strip_suffix(',').unwrap();
    let msg = message_at(
        mapped::read(format!("{first}\n{second_short}\n").as_bytes(), &m).unwrap_err(),
        Locator::Line(2),
    );
    assert!(
        msg.starts_with("this row has 8 cells but mapping `WREGIS retirements` reads column 9"),
        "{msg}"
    );
    let first_short = first.trim_end().rsplit_once(',').unwrap().0;
    let msg = message_at(
        mapped::read(format!("{first_short}\n{second}").as_bytes(), &m).unwrap_err(),
        Locator::Line(1),
    );
    assert!(msg.starts_with("this row has 8 cells"), "{msg}");
}

/// `2023-03-01T13:00:00-08:00` was cut at its `T`: the hour and the offset
/// vanished and a one-hour period became a day. A date field holds days:
/// a time other than midnight (or an offset) is refused, naming why.
#[test]
fn a_date_time_in_a_date_column_is_refused_not_cut_to_its_day() {
    let mut m = mapping("mapped/go-cancellations.mapping.json");
    m.date_order = eac_registry::text::DateOrder::Iso;
    let head = "t\nt\nGSRN;Device name;Technology;Production from;Production to;Certificate numbers;Volume (MWh);Status;Cancellation date;Beneficiary;Account holder;Country of consumption\n";
    let read = |row: &str| mapped::read(format!("{head}{row}\n").as_bytes(), &m);
    let msg = message_at(
        read("1;D;Hydro;2023-03-01T13:00:00-08:00;2023-03-01T14:00:00-08:00;1 - 4;1;Issued;;;;")
            .unwrap_err(),
        Locator::Line(4),
    );
    assert!(
        msg.starts_with(
            "column `Production from` (4): `2023-03-01T13:00:00-08:00` is not a YYYY-MM-DD date"
        ) && msg.contains("time of day"),
        "{msg}"
    );
    let msg = message_at(
        read("1;D;Hydro;2023-03-01;2023-03-31;1 - 4;1;Cancelled;2024-02-15T09:30:00Z;;;")
            .unwrap_err(),
        Locator::Line(4),
    );
    assert!(
        msg.contains("`Cancellation date` (9)") && msg.contains("time of day"),
        "{msg}"
    );
    // Midnight without an offset is the day it starts.
    let st =
        read("1;D;Hydro;2023-03-01T00:00:00;2023-03-31;1 - 4;1;Cancelled;2024-02-15T00:00:00;;;")
            .unwrap();
    assert_eq!(st.ranges[0].claim, Claim::On("2024-02-15".parse().unwrap()));
    assert_eq!(
        st.ranges[0].period_start.to_string(),
        "2023-02-28T23:00:00Z"
    );
}

/// A day in the mapping's date order that the calendar lacks is said in
/// the calendar's words: `2023-02-30` was "not a YYYY-MM-DD date", which
/// it is written as.
#[test]
fn a_day_the_calendar_lacks_is_said_in_the_calendars_words() {
    let mut m = mapping("mapped/go-cancellations.mapping.json");
    m.date_order = eac_registry::text::DateOrder::Iso;
    let head = "t\nt\nGSRN;Device name;Technology;Production from;Production to;Certificate numbers;Volume (MWh);Status;Cancellation date;Beneficiary;Account holder;Country of consumption\n";
    let read = |m: &Mapping, row: &str| mapped::read(format!("{head}{row}\n").as_bytes(), m);
    let msg = message_at(
        read(&m, "1;D;Hydro;2023-02-01;2023-02-30;1 - 4;1;Issued;;;;").unwrap_err(),
        Locator::Line(4),
    );
    assert!(
        msg.starts_with(
            "column `Production to` (5): `2023-02-30` is not a day of the calendar read \
             YYYY-MM-DD (the mapping's date order): February 2023 has 28 days"
        ),
        "{msg}"
    );
    m.date_order = eac_registry::text::DateOrder::Dmy;
    let msg = message_at(
        read(
            &m,
            "1;D;Hydro;01/02/2023;28/02/2023;1 - 4;1;Cancelled;31/04/2024;;;",
        )
        .unwrap_err(),
        Locator::Line(4),
    );
    assert!(
        msg.contains("`Cancellation date` (9)")
            && msg.contains("`31/04/2024` is not a day of the calendar read day-month-year (the mapping's date order): April 2024 has 30 days"),
        "{msg}"
    );
}

/// A fact named like one EAC Desk writes itself (`status`, `holder`, …,
/// and the reader's own `status_date`) or named twice was dropped when
/// the range became an EAC, without a word. `validate` (on save and on
/// import) names each such fact.
#[test]
fn reserved_and_repeated_fact_names_are_refused_by_name() {
    let mut m = mapping("mapped/go-cancellations.mapping.json");
    let fact = |name: &str, column: &str| mapped::Fact {
        name: name.into(),
        field: Field::Column(column.into()),
    };
    m.facts = vec![
        fact("status", "Status"),
        fact("holder", "Account holder"),
        fact("status_date", "Cancellation date"),
        fact("country_of_consumption", "Country of consumption"),
        fact("country_of_consumption", "Technology"),
    ];
    let problems = m.validate().unwrap_err().0;
    assert_eq!(problems.len(), 4, "{problems:?}");
    for (problem, name) in problems.iter().zip(["status", "holder", "status_date"]) {
        assert!(
            problem.starts_with(&format!(
                "the fact name `{name}` is one EAC Desk writes itself (`eacdesk_{name}`)"
            )),
            "{problem}"
        );
    }
    assert!(
        problems[3].starts_with("the fact name `country_of_consumption` is mapped twice"),
        "{}",
        problems[3]
    );
    let err = mapped::read(&fixture("mapped/go-cancellations.csv"), &m).unwrap_err();
    assert!(err.message.contains("`eacdesk_holder`"), "{}", err.message);
}

/// A separator found more than once (`AB-100-AB-199` with `-`) was split
/// at the first: the first number was `AB`, and a count column was then
/// trusted unchecked. The one split that gives a countable range is taken;
/// none or several is refused. A count column is always checked, and a
/// range that cannot be counted is refused even with one.
#[test]
fn a_range_split_more_than_one_way_and_uncountable_ranges_are_refused() {
    let mut m = mapping("mapped/go-cancellations.mapping.json");
    m.range.as_mut().unwrap().separator = "-".into();
    m.total_energy = None;
    m.per_certificate = Some(Field::Value("1".into()));
    let head = "t\nt\nGSRN;Device name;Technology;Production from;Production to;Certificate numbers;Volume (MWh);Status;Cancellation date;Beneficiary;Account holder;Country of consumption\n";
    let read = |m: &Mapping, row: &str| mapped::read(format!("{head}{row}\n").as_bytes(), m);
    // One split of three makes a range: taken.
    let st = read(
        &m,
        "1;D;Hydro;01.01.2023;31.01.2023;AB-100-AB-199;1;Issued;;;;",
    )
    .unwrap();
    let r = &st.ranges[0];
    assert_eq!(
        (r.first.as_str(), r.last.as_str(), r.count.as_str()),
        ("AB-100", "AB-199", "100")
    );
    // `1-2-3`: `1`…`2-3` and `1-2`…`3` cannot be told apart.
    let msg = message_at(
        read(
            &m,
            "1;D;Hydro;01.01.2023;31.01.2023;AB-1-AB-2-AB-3;1;Issued;;;;",
        )
        .unwrap_err(),
        Locator::Line(4),
    );
    assert!(
        msg.starts_with(
            "column `Certificate numbers` (6): `AB-1-AB-2-AB-3` holds the separator `-` 5 times"
        ),
        "{msg}"
    );
    let msg = message_at(
        read(&m, "1;D;Hydro;01.01.2023;31.01.2023;A-1-B-2;1;Issued;;;;").unwrap_err(),
        Locator::Line(4),
    );
    assert!(msg.contains("3 times and none of the ways"), "{msg}");
    // A count column with a range that cannot be counted: refused, not trusted.
    m.count = Some(Field::Column("Volume (MWh)".into()));
    let msg = message_at(
        read(&m, "1;D;Hydro;01.01.2023;31.01.2023;A1-B4;4;Issued;;;;").unwrap_err(),
        Locator::Line(4),
    );
    assert!(msg.contains("A1 … B4 cannot be counted"), "{msg}");
    // And checked when it can be counted.
    let msg = message_at(
        read(
            &m,
            "1;D;Hydro;01.01.2023;31.01.2023;AB-100-AB-199;99;Issued;;;;",
        )
        .unwrap_err(),
        Locator::Line(4),
    );
    assert!(
        msg.contains("count 99") && msg.contains("holds 100"),
        "{msg}"
    );
}

/// With a decimal comma, `93.000` is 93 typed with a decimal point or
/// 93000 with `.` grouping thousands: refused at its line and column,
/// saying both readings and how to write each, unless another number of
/// the file groups thousands with `.` beyond doubt (`1.000,000`). It was
/// read as 93000, 1000 MWh per certificate, without a word.
#[test]
fn a_dot_a_decimal_comma_file_does_not_explain_is_refused_not_guessed() {
    let m = mapping("mapped/go-cancellations.mapping.json");
    let head = "t\nt\nGSRN;Device name;Technology;Production from;Production to;Certificate numbers;Volume (MWh);Status;Cancellation date;Beneficiary;Account holder;Country of consumption\n";
    let row = |volume: &str, numbers: &str| {
        format!("1;D;Hydro;01.01.2023;31.01.2023;{numbers};{volume};Cancelled;15.02.2024;;;\n")
    };
    let plain = format!(
        "{head}{}{}",
        row("2,5", "A-1 - A-4"),
        row("93.000", "B-1 - B-93")
    );
    let msg = message_at(
        mapped::read(plain.as_bytes(), &m).unwrap_err(),
        Locator::Line(5),
    );
    assert_eq!(
        msg,
        "column `Volume (MWh)` (7): `93.000` cannot be read exactly: the mapping writes numbers \
         with a decimal comma, and no number of the file groups thousands with `.` (as \
         `1.234,5` or `1.234.567` would), so its `.` may be a decimal point (93.000) or group \
         thousands (93000). Write it `93,000` if it is 93.000, or `93000` if it is 93000, and \
         import the file again"
    );
    // The file groups thousands with `.` elsewhere: 93000.
    let grouped = format!("{plain}{}", row("1.000,5", "C-1 - C-1"));
    let st = mapped::read(grouped.as_bytes(), &m).unwrap();
    assert_eq!(st.ranges[1].total.as_ref().unwrap().as_str(), "93000");
}

/// I-REC's certificate ids with decimals (`…5755.500000` … `…5770.249999`)
/// are counted as the I-REC statement reader counts them (dashes dropped,
/// one number each), and their range is keyed the same way so the two
/// readers' ranges overlap; ids with decimals of another form are refused
/// saying so. They were refused as "differ before their last digits, have
/// no trailing digits, or run backwards", none of which was true.
#[test]
fn irec_certificate_ids_with_decimals_are_counted_as_the_statement_reader_counts_them() {
    let m = Mapping {
        name: s("irec"),
        registry: s("irec"),
        source_id: s("irec"),
        source_name: s("I-REC Registry (Evident)"),
        time_zone: s("Asia/Jakarta"),
        first: Some(Field::Column(s("From"))),
        last: Some(Field::Column(s("To"))),
        count: Some(Field::Column(s("Certificates"))),
        per_certificate: Some(Field::Value(s("1"))),
        unit: Some(Field::Value(s("MWh"))),
        status: Some(Field::Value(s("redeemed"))),
        period_start: Some(Field::Column(s("Start"))),
        period_end: Some(Field::Column(s("End"))),
        device_id: Some(Field::Column(s("Device"))),
        ..Mapping::default()
    };
    let head = "From,To,Certificates,Start,End,Device\n";
    let read = |row: &str| mapped::read(format!("{head}{row}\n").as_bytes(), &m);
    let st = read(
        "0000-0000-6529-5755.500000,0000-0000-6529-5770.249999,14.750000,2020-10-01,2020-10-31,Lebong",
    )
    .unwrap();
    let r = &st.ranges[0];
    assert_eq!(
        (
            r.first.as_str(),
            r.count.as_str(),
            r.series.as_str(),
            r.first_seq.as_str(),
            r.last_seq.as_str()
        ),
        (
            "0000-0000-6529-5755.500000",
            "14.750000",
            "",
            "0000000065295755.500000",
            "0000000065295770.249999"
        )
    );
    let msg = message_at(
        read("0000-0000-6529-5755.5,0000-0000-6529-5770.249999,14.75,2020-10-01,2020-10-31,L")
            .unwrap_err(),
        Locator::Line(2),
    );
    assert!(
        msg.starts_with(
            "column `To` (2): the range 0000-0000-6529-5755.5 … 0000-0000-6529-5770.249999 \
             cannot be counted: they are certificate ids with decimals (as I-REC writes them \
             since 2022), read as one number each without their dashes, and they have \
             different numbers of decimals or run backwards."
        ),
        "{msg}"
    );
    let msg = message_at(
        read("IREC-1.5,IREC-9.5,8,2020-10-01,2020-10-31,L").unwrap_err(),
        Locator::Line(2),
    );
    assert!(
        msg.contains("a certificate id with decimals is read only in I-REC's form"),
        "{msg}"
    );
}

/// A registry key like a built-in reader's but not it is warned about,
/// naming the built-in key; the built-in keys and keys of their own are not
/// (tester 41, finding 2: `eecs-no` GOs were stored twice unseen).
#[test]
fn a_registry_key_like_a_built_in_readers_is_warned_about_naming_that_key() {
    let key = |k: &str| {
        let m = Mapping {
            registry: s(k),
            ..Mapping::default()
        };
        m.registry_key_warning()
            .map(|w| w.split(", the key of").next().unwrap().to_owned())
    };
    for (given, built_in) in [
        ("eecs-no", "eecs"),
        ("EECS", "eecs"),
        ("necs", "eecs"),
        ("GO", "eecs"),
        ("rego", "ofgem"),
        ("Ofgem-REGO", "ofgem"),
        ("i-rec", "irec"),
        ("I-REC", "irec"),
        ("m-rets", "mrets"),
    ] {
        assert_eq!(
            key(given),
            Some(format!(
                "the registry key `{given}` looks like `{built_in}`"
            )),
            "{given}"
        );
    }
    for own in [
        "eecs", "ofgem", "irec", "mrets", "wregis", "pjm-gats", "nar", "gold", "necsa",
    ] {
        assert_eq!(key(own), None, "{own}");
    }
}

/// The fixture mapping's JSON text with `edit` applied to it as a value.
fn edited(edit: impl FnOnce(&mut serde_json::Map<String, serde_json::Value>)) -> String {
    let mut v: serde_json::Value =
        serde_json::from_slice(&fixture("mapped/go-cancellations.mapping.json")).unwrap();
    edit(v.as_object_mut().unwrap());
    v.to_string()
}

fn unknown(text: &str) -> String {
    match Mapping::from_json(text).unwrap_err() {
        mapped::MappingJsonError::UnknownKeys(keys) => keys.join("\n"),
        other => panic!("not refused for its keys: {other}"),
    }
}

/// A misspelt key was dropped by serde without a word, and the column it
/// named never imported (`claim_dte`: every retirement date lost): each
/// key no mapping has is refused, naming the nearest known key.
#[test]
fn a_key_no_mapping_has_is_refused_naming_the_nearest_one() {
    let text = String::from_utf8(fixture("mapped/go-cancellations.mapping.json")).unwrap();
    assert_eq!(
        Mapping::from_json(&text).unwrap(),
        mapping("mapped/go-cancellations.mapping.json")
    );
    let typo = edited(|m| {
        let v = m.remove("claim_date").unwrap();
        m.insert("claim_dte".into(), v);
        let v = m.remove("beneficiary_name").unwrap();
        m.insert("beneficary_name".into(), v);
        m.insert("unexpected".into(), 1.into());
    });
    let all = unknown(&typo);
    assert!(
        all.contains("`claim_dte` is not a key of a mapping; did you mean `claim_date`?"),
        "{all}"
    );
    assert!(
        all.contains(
            "`beneficary_name` is not a key of a mapping; did you mean `beneficiary_name`?"
        ),
        "{all}"
    );
    // Nothing near: the keys a mapping has are listed.
    assert!(
        all.contains("`unexpected` is not a key of a mapping; a mapping has `")
            && all.contains("`time_zone`"),
        "{all}"
    );
    let whole = Mapping::from_json(&typo).unwrap_err().to_string();
    assert!(
        whole.contains("the column it names not imported"),
        "{whole}"
    );

    // Inside a field, the range and a fact.
    let nested = edited(|m| {
        m.insert("device_id".into(), serde_json::json!({"colum": "GSRN"}));
        m.insert(
            "range".into(),
            serde_json::json!({"field": {"column": "Certificate numbers"}, "seperator": " - "}),
        );
        m.insert(
            "facts".into(),
            serde_json::json!([{"name": "x", "feild": {"column": "Country of consumption"}}]),
        );
    });
    let all = unknown(&nested);
    assert!(
        all.contains("`colum` in `device_id` is not a key of a field; did you mean `column`?"),
        "{all}"
    );
    assert!(
        all.contains("`seperator` in `range` is not a key of the range; did you mean `separator`?"),
        "{all}"
    );
    assert!(
        all.contains("`feild` in `facts[0]` is not a key of a fact; did you mean `field`?"),
        "{all}"
    );

    // A field written as bare text is said with how to write it (it was
    // serde's "unknown variant `Cancellation date`").
    let bare = edited(|m| {
        m.insert("claim_date".into(), "Cancellation date".into());
    });
    let err = Mapping::from_json(&bare).unwrap_err().to_string();
    assert!(
        err.contains(
            "`claim_date` is the text `Cancellation date`, not a field: write {\"column\": \
             \"Cancellation date\"} for the column with that header"
        ),
        "{err}"
    );

    // A key given twice is refused too (rule 20), not the last one taken.
    let twice = r#"{"registry": "a", "registry": "b"}"#;
    let err = Mapping::from_json(twice).unwrap_err().to_string();
    assert!(err.contains("duplicate key `registry`"), "{err}");
}

#[test]
fn a_mapping_without_a_time_zone_says_so() {
    let mut m = mapping("mapped/go-cancellations.mapping.json");
    m.time_zone = String::new();
    let all = m.validate().unwrap_err().to_string();
    assert!(all.contains("no time zone (the IANA zone"), "{all}");
    assert!(!all.contains("``"), "{all}");
}

/// `mapping preview` is the check before an import: it names what import
/// would refuse (every column the header lacks, what the mapping lacks,
/// else the first row refused) and which column feeds which field.
#[test]
fn check_says_what_import_would_refuse_and_where_each_field_is_read() {
    let csv = fixture("mapped/go-cancellations.csv");
    let good = mapping("mapped/go-cancellations.mapping.json");
    let c = mapped::check(&csv, &good);
    assert_eq!(c.problems, Vec::<String>::new());
    let from = |c: &mapped::MappingCheck, field: &str| {
        c.fields
            .iter()
            .find(|f| f.field == field)
            .unwrap_or_else(|| panic!("{field} not listed: {:?}", c.fields))
            .from
            .clone()
    };
    assert_eq!(from(&c, "claim date"), "column `Cancellation date` (9)");
    assert_eq!(from(&c, "unit"), "the fixed value `MWh`");
    assert_eq!(from(&c, "range"), "column `Certificate numbers` (6)");
    assert_eq!(
        from(&c, "fact `country_of_consumption`"),
        "column `Country of consumption` (12)"
    );

    let mut bad = good.clone();
    bad.device_id = Some(Field::Column("GSRN X".into()));
    bad.holder = Some(Field::Column("Holder X".into()));
    let c = mapped::check(&csv, &bad);
    assert_eq!(c.problems.len(), 2, "{:?}", c.problems);
    assert!(
        c.problems[0].starts_with("line 3: mapping `NECS cancellations` names the column `GSRN X`, which this file's header does not have"),
        "{:?}",
        c.problems
    );
    assert!(c.problems[1].contains("`Holder X`"), "{:?}", c.problems);
    assert_eq!(
        from(&c, "device id"),
        "column `GSRN X`, not in this file's header"
    );
    // Import refuses it the same way (at the first column).
    let err = mapped::read(&csv, &bad).unwrap_err();
    assert!(c.problems[0].ends_with(&err.message), "{}", err.message);

    let mut incomplete = good.clone();
    incomplete.time_zone = String::new();
    incomplete.status = None;
    let c = mapped::check(&csv, &incomplete);
    assert_eq!(c.problems.len(), 1, "{:?}", c.problems);
    assert!(
        c.problems[0].starts_with("mapping `NECS cancellations` is not complete: no time zone")
            && c.problems[0].contains("no status"),
        "{:?}",
        c.problems
    );

    // A row import refuses: the first, located.
    let text = String::from_utf8(csv.clone())
        .unwrap()
        .replace("15.02.2024", "31.02.2024");
    let c = mapped::check(text.as_bytes(), &good);
    assert_eq!(c.problems.len(), 1, "{:?}", c.problems);
    assert!(
        c.problems[0].starts_with("line 4: column `Cancellation date` (9): `31.02.2024`"),
        "{:?}",
        c.problems
    );
}

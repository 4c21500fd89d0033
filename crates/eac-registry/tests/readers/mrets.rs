use eac_model::TechnologyType;
use eac_registry::{mrets_csv, Claim, Locator, Status};

use crate::{facts, fixture, message_at, summary, utf16};

fn s(t: &str) -> String {
    t.to_owned()
}

#[test]
fn certificates_download_becomes_one_range_per_serial_number() {
    let bytes = fixture("mrets/certificates.csv");
    assert!(mrets_csv::sniff(&bytes));
    let st = mrets_csv::read(&bytes).unwrap();
    assert!(st.skipped.is_empty());
    assert_eq!(st.ranges.len(), 5, "row 4 holds two serial numbers");

    // Row 2: MM-DD-YYYY dates, trailing spaces, quoted fields, `1,794`.
    let a = &st.ranges[0];
    assert_eq!(a.at, Locator::Line(2));
    assert_eq!(
        (
            a.registry.as_str(),
            a.source_id.as_str(),
            a.source_name.as_str()
        ),
        ("mrets", "mrets", "M-RETS"),
        "the PDF reader's registry and source: one issuing body"
    );
    let pdf = eac_registry::mrets_pdf::SOURCE_ID;
    assert_eq!(
        (a.registry.as_str(), a.source_id.as_str()),
        (eac_registry::mrets_pdf::REGISTRY, pdf)
    );
    assert_eq!(
        summary(a),
        (
            s("2194-ND-07-2020-CAC76615-56217"),
            s("2194-ND-07-2020-CAC76615-58010"),
            s("1794"),
            s("1 MWh"),
            s("active"),
            // North Dakota: Central time, daylight saving in July (UTC−5).
            s("2020-07-01T05:00:00Z"),
            s("2020-08-01T05:00:00Z"),
        )
    );
    assert_eq!(a.claim, Claim::No);
    assert_eq!(a.issued, None);
    assert_eq!(a.device.id, "M2194");
    assert_eq!(a.device.name.as_deref(), Some("Emmons-Logan Wind"));
    assert_eq!(a.device.technology.as_deref(), Some("Wind"));
    assert_eq!(a.device.technology_type, Some(TechnologyType::Wind));
    assert_eq!(a.device.country.as_deref(), Some("ND"));
    assert_eq!(a.holder.as_deref(), Some("South Pole USA Inc."));
    assert_eq!(a.beneficiary_name, None);
    assert_eq!(a.emissions, None);
    assert_eq!(
        facts(a),
        [
            ("account", "South Pole"),
            ("account_id", "086E2257-6853"),
            ("vintage", "07/2020"),
            ("certificate_type", "REC"),
            ("eligibility", "CRS Listed, MN RES"),
            ("serial_numbers", "2194-ND-07-2020-CAC76615-56217-58010"),
        ]
    );

    // Row 3: MM/DD/YYYY, a state written out, the switch to daylight
    // saving inside the period.
    let b = &st.ranges[1];
    assert_eq!(b.at, Locator::Line(3));
    assert_eq!(
        summary(b),
        (
            s("M1234-MN-03-2021-AB12CD34-1"),
            s("M1234-MN-03-2021-AB12CD34-250"),
            s("250"),
            s("1 MWh"),
            s("active"),
            s("2021-03-01T06:00:00Z"),
            s("2021-04-01T05:00:00Z"),
        )
    );
    assert_eq!(b.device.name.as_deref(), Some("Prairie Sun, LLC"));
    assert_eq!(b.device.technology_type, Some(TechnologyType::Solar));

    // Row 4: two serial numbers in one cell add up to the Quantity; a fuel
    // type the table does not know stays unmapped; a Canadian province.
    let (c1, c2) = (&st.ranges[2], &st.ranges[3]);
    assert_eq!(
        (c1.at.clone(), c2.at.clone()),
        (Locator::Line(4), Locator::Line(4))
    );
    assert_eq!(
        (c1.first.as_str(), c1.last.as_str(), c1.count.as_str()),
        (
            "3301-MB-11-2021-EF56AB78-1",
            "3301-MB-11-2021-EF56AB78-100",
            "100"
        )
    );
    assert_eq!(
        (c2.first.as_str(), c2.last.as_str(), c2.count.as_str()),
        (
            "3301-MB-11-2021-EF56AB78-201",
            "3301-MB-11-2021-EF56AB78-250",
            "50"
        )
    );
    assert_eq!(c1.device.technology.as_deref(), Some("Landfill Gas"));
    assert_eq!(c1.device.technology_type, None);
    // Winnipeg: daylight saving ends 7 November 2021.
    assert_eq!(c1.period_start.to_string(), "2021-11-01T05:00:00Z");
    assert_eq!(c1.period_end.to_string(), "2021-12-01T06:00:00Z");

    // Row 5: no generation dates, so the Vintage month; an unknown
    // location is read in Central time, with a warning on its line.
    let d = &st.ranges[4];
    assert_eq!(d.count.as_str(), "10");
    assert_eq!(d.device.technology_type, Some(TechnologyType::Solar));
    assert_eq!(d.period_start.to_string(), "2022-01-01T06:00:00Z");
    assert_eq!(d.period_end.to_string(), "2022-02-01T06:00:00Z");

    // The file does not say active or retired: one warning, first.
    assert_eq!(st.warnings.len(), 3);
    assert_eq!(st.warnings[0].at, Locator::Document);
    assert!(st.warnings[0].message.contains("never as retired"));
    // North Dakota spans two zones: the one taken is said (decision 82),
    // as the confirmation PDF says it.
    assert_eq!(st.warnings[1].at, Locator::Line(2));
    assert_eq!(
        st.warnings[1].message,
        "ND spans several time zones; its generation dates are read in America/Chicago, its \
         main one"
    );
    assert_eq!(st.warnings[2].at, Locator::Line(5));
    assert!(st.warnings[2].message.contains("`PR`"));
    assert!(st.warnings[2].message.contains("America/Chicago"));
}

#[test]
fn retired_rows_are_claims_dated_only_when_the_file_dates_them() {
    let st = mrets_csv::read(&fixture("mrets/retired-with-status.csv")).unwrap();
    // Only the zone taken for North Dakota, said once for its three rows.
    let warnings: Vec<(Locator, &str)> = st
        .warnings
        .iter()
        .map(|w| (w.at.clone(), w.message.as_str()))
        .collect();
    assert_eq!(
        warnings,
        [(
            Locator::Line(2),
            "ND spans several time zones; its generation dates are read in America/Chicago, \
             its main one"
        )]
    );
    let got: Vec<(Status, Claim)> = st
        .ranges
        .iter()
        .map(|r| (r.status.clone(), r.claim.clone()))
        .collect();
    assert_eq!(
        got,
        [
            (Status::Retired, Claim::On("2022-12-30".parse().unwrap())),
            (Status::Retired, Claim::Undated),
            (Status::Active, Claim::No),
        ]
    );
    assert_eq!(
        st.ranges[0].facts[0],
        ("account".to_owned(), "DefaultRET".to_owned())
    );
}

/// Decision 75: a status the reader does not know is kept as printed, is
/// not a claim, and is said: a `Retired - Voluntary` row with a retirement
/// date was stored as not retired without a word.
#[test]
fn an_unknown_status_is_kept_as_printed_with_a_warning_and_its_date_kept() {
    let csv = "Account,Account ID,M-RETS ID,Organization,Generator,Fuel Type,Vintage,Generation Start,Generation End Date,Location,Type,Eligibility,Quantity,Serial Numbers,Status,Retirement Date\n\
               A,1,M1,O,G,Wind,07/2020,07-01-2020,07-31-2020,ND,REC,,1794,2194-ND-07-2020-CAC76615-56217-58010,Retired - Voluntary,12-30-2022\n\
               A,1,M1,O,G,Wind,08/2020,08-01-2020,08-31-2020,ND,REC,,5,2194-ND-08-2020-B-1-5,Pending,\n\
               A,1,M1,O,G,Wind,09/2020,09-01-2020,09-30-2020,ND,REC,,5,2194-ND-09-2020-B-1-5,Active,01-15-2023\n";
    let st = mrets_csv::read(csv.as_bytes()).unwrap();
    let got: Vec<(Status, Claim)> = st
        .ranges
        .iter()
        .map(|r| (r.status.clone(), r.claim.clone()))
        .collect();
    assert_eq!(
        got,
        [
            (Status::Other("retired - voluntary".into()), Claim::No),
            (Status::Other("pending".into()), Claim::No),
            (Status::Active, Claim::No),
        ]
    );
    // A date the row prints is not dropped, even where it is no claim date.
    assert!(facts(&st.ranges[0]).contains(&("retirement_date", "2022-12-30")));
    assert!(facts(&st.ranges[2]).contains(&("retirement_date", "2023-01-15")));
    assert!(!facts(&st.ranges[1])
        .iter()
        .any(|(k, _)| *k == "retirement_date"));

    let warnings: Vec<(Locator, &str)> = st
        .warnings
        .iter()
        .filter(|w| !w.message.contains("spans several time zones"))
        .map(|w| (w.at.clone(), w.message.as_str()))
        .collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert_eq!(warnings[0].0, Locator::Line(2));
    let m = warnings[0].1;
    assert!(m.contains("`Retired - Voluntary`"), "{m}");
    assert!(m.contains("not counted as a claim"), "{m}");
    assert!(m.contains("12-30-2022"), "{m}");
    assert_eq!(warnings[1].0, Locator::Line(3));
    assert!(warnings[1].1.contains("`Pending`"), "{}", warnings[1].1);
    assert!(
        !warnings[1].1.contains("Retirement Date"),
        "{}",
        warnings[1].1
    );
}

/// Rows ended by a lone CR (old Excel for Mac), a quoted cell broken over
/// lines with LF: each break is a line, as an editor shows them.
#[test]
fn cr_only_line_ends_are_counted_as_lines() {
    let csv = "Account,Account ID,M-RETS ID,Organization,Generator,Fuel Type,Vintage,Generation Start,Generation End Date,Location,Type,Eligibility,Quantity,Serial Numbers\r\
               Main,1,M1,\"Acme\nCorp\nInc\",G,Wind,07/2020,07/01/2020,07/31/2020,ND,REC,,5,2194-ND-07-2020-B-1-5\r\
               Main,1,M1,Acme,G,Wind,07/2020,07/01/2020,07/31/2020,ND,REC,,999,2194-ND-07-2020-C-1-5\r";
    assert!(mrets_csv::sniff(csv.as_bytes()));
    let m = message_at(
        mrets_csv::read(csv.as_bytes()).unwrap_err(),
        Locator::Line(5),
    );
    assert!(m.contains("999"), "{m}");
    let good = csv.replace(",999,", ",5,");
    let st = mrets_csv::read(good.as_bytes()).unwrap();
    let lines: Vec<Locator> = st.ranges.iter().map(|r| r.at.clone()).collect();
    assert_eq!(lines, [Locator::Line(2), Locator::Line(5)]);
}

/// A download re-saved as UTF-16 (Excel's "Unicode text", with its byte
/// order mark) is recognised as the M-RETS CSV it is and read as the UTF-8
/// file (decision 77), not taken for JSON.
#[test]
fn a_utf16_download_is_recognised_and_read_like_the_utf8_one() {
    let utf8 = fixture("mrets/certificates.csv");
    let expected = mrets_csv::read(&utf8).unwrap();
    for little_endian in [true, false] {
        let bytes = utf16(&utf8, little_endian);
        assert!(mrets_csv::sniff(&bytes), "LE {little_endian}");
        assert!(eac_registry::formats::looks_like_registry_document(&bytes));
        let read = eac_registry::read(&bytes, None, None).unwrap().unwrap();
        assert_eq!(read.format, eac_registry::Format::MretsCsv);
        assert_eq!(read.statement, expected, "LE {little_endian}");
    }
    // A broken row is still located by its line.
    let bad = utf16(&fixture("mrets/quantity-mismatch.csv"), true);
    let m = message_at(mrets_csv::read(&bad).unwrap_err(), Locator::Line(2));
    assert!(m.contains("1,800"), "{m}");
}

#[test]
fn a_quantity_the_serial_numbers_do_not_hold_refuses_the_file() {
    let err = mrets_csv::read(&fixture("mrets/quantity-mismatch.csv")).unwrap_err();
    let m = message_at(err, Locator::Line(2));
    assert!(m.contains("1,800") && m.contains("1794"), "{m}");
}

#[test]
fn broken_rows_are_refused_where_they_are() {
    let header = "Account,Account ID,M-RETS ID,Organization,Generator,Fuel Type,Vintage,Generation Start,Generation End Date,Location,Type,Eligibility,Quantity,Serial Numbers\n";
    let read = |row: &str| mrets_csv::read(format!("{header}{row}\n").as_bytes());
    // A serial number of another shape.
    let m = message_at(
        read("A,1,M1,O,G,Wind,07/2020,07-01-2020,07-31-2020,ND,REC,,5,2194-ND-2020-1-5")
            .unwrap_err(),
        Locator::Line(2),
    );
    assert!(m.contains("`2194-ND-2020-1-5`"), "{m}");
    // Backwards.
    let m = message_at(
        read("A,1,M1,O,G,Wind,07/2020,07-01-2020,07-31-2020,ND,REC,,5,2194-ND-07-2020-B-9-5")
            .unwrap_err(),
        Locator::Line(2),
    );
    assert!(m.contains("before it starts"), "{m}");
    // A day-first date is not a month-first one.
    let m = message_at(
        read("A,1,M1,O,G,Wind,07/2020,31-07-2020,07-31-2020,ND,REC,,5,2194-ND-07-2020-B-1-5")
            .unwrap_err(),
        Locator::Line(2),
    );
    assert!(
        m.contains("`31-07-2020`") && m.contains("Generation Start"),
        "{m}"
    );
    // A fractional quantity.
    let m = message_at(
        read("A,1,M1,O,G,Wind,07/2020,07-01-2020,07-31-2020,ND,REC,,4.5,2194-ND-07-2020-B-1-5")
            .unwrap_err(),
        Locator::Line(2),
    );
    assert!(m.contains("whole number"), "{m}");
    // Missing columns are named.
    let err = mrets_csv::read(b"Account,Serial Numbers\nA,2194-ND-07-2020-B-1-5\n").unwrap_err();
    let m = message_at(err, Locator::Line(1));
    assert!(m.contains("`Quantity`"), "{m}");
}

#[test]
fn sniff_tells_an_mrets_download_from_other_csv() {
    assert!(!mrets_csv::sniff(&fixture("mapped/go-cancellations.csv")));
    assert!(!mrets_csv::sniff(b"Account,Quantity\n"));
    assert!(!mrets_csv::sniff(&fixture("energytag/bundles.json")));
}

/// A row that ends before the header's last column (a file cut short, a
/// hand edit that lost a comma) is refused: its missing Retirement Date
/// read as empty made a dated claim undated without a word. A trailing
/// empty cell that is there (`Retired,`) stays fine, as does a blank last
/// line.
#[test]
fn a_row_with_fewer_cells_than_the_header_is_refused() {
    let text = String::from_utf8(fixture("mrets/retired-with-status.csv")).unwrap();
    let short = text.replacen(",Retired,12-30-2022", ",Retired", 1);
    let m = message_at(
        mrets_csv::read(short.as_bytes()).unwrap_err(),
        Locator::Line(2),
    );
    assert!(
        m.starts_with("this row has 15 cells but the header (line 1) has 16"),
        "{m}"
    );
    let blank_end = format!("{text}\n\n");
    assert_eq!(
        mrets_csv::read(blank_end.as_bytes()).unwrap().ranges.len(),
        3
    );
}

const HEADER: &str = "Account,Account ID,M-RETS ID,Organization,Generator,Fuel Type,Vintage,Generation Start,Generation End Date,Location,Type,Eligibility,Quantity,Serial Numbers\n";

/// A serial number is numbered for its vintage month: generation dates or
/// a Vintage of another month were read as they stood (a day-first
/// re-save's 01/07/2020 – 12/07/2020 became January 7 to December 7, a
/// July 2020 serial was stored as January 2019). Refused naming both, as
/// the confirmation PDF's reader refuses a vintage unlike its serial.
#[test]
fn dates_or_a_vintage_outside_the_serial_numbers_month_are_refused() {
    let read = |row: &str| mrets_csv::read(format!("{HEADER}{row}\n").as_bytes());
    // Day-first dates of the serial's month, read month-first.
    let m = message_at(
        read("South Pole,086E2257-6853,2194,South Pole USA Inc.,Emmons-Logan Wind,Wind,07/2020,01/07/2020,12/07/2020,ND,REC,,1794,2194-ND-07-2020-CAC76615-56217-58010").unwrap_err(),
        Locator::Line(2),
    );
    assert_eq!(
        m,
        "the generation dates `01/07/2020` to `12/07/2020` (read month-first, as M-RETS writes \
         them: 2020-01-07 to 2020-12-07) do not lie in 07/2020, the month the serial number \
         `2194-ND-07-2020-CAC76615-56217-58010` is numbered for (its <MM>-<YYYY>); the row is \
         inconsistent. Read day-first they would be 2020-07-01 to 2020-07-12, in that month: \
         the dates look re-saved by a spreadsheet that writes days first, while M-RETS writes \
         MM/DD/YYYY. Download the file again, or write the dates month-first"
    );
    // Vintage and dates of another month than the serial's.
    let m = message_at(
        read("South Pole,086E2257-6853,2195,South Pole USA Inc.,Other Wind,Wind,01/2019,01/01/2019,01/31/2019,TX,REC,,100,2195-TX-07-2020-ABCDEF01-1-100").unwrap_err(),
        Locator::Line(2),
    );
    assert!(
        m.starts_with(
            "column `Vintage` says 01/2019 but the serial number \
             `2195-TX-07-2020-ABCDEF01-1-100` is numbered for 07/2020 (its <MM>-<YYYY>): the row \
             is inconsistent"
        ),
        "{m}"
    );
    // Dates of another month, Vintage right: no day-first reading fits.
    let m = message_at(
        read("A,1,M1,O,G,Wind,07/2020,08/01/2020,08/31/2020,ND,REC,,5,2194-ND-07-2020-B-1-5")
            .unwrap_err(),
        Locator::Line(2),
    );
    assert!(
        m.contains("do not lie in 07/2020")
            && m.ends_with("Download the file again or correct the row"),
        "{m}"
    );
    // A Vintage only, of another month than the serial's.
    let m = message_at(
        read("A,1,M1,O,G,Wind,2020-08,,,ND,REC,,5,2194-ND-07-2020-B-1-5").unwrap_err(),
        Locator::Line(2),
    );
    assert!(
        m.starts_with("column `Vintage` says 2020-08 (08/2020)"),
        "{m}"
    );
    // Two serials of different months cannot share one row's dates.
    let m = message_at(
        read("A,1,M1,O,G,Wind,,07/01/2020,07/31/2020,ND,REC,,10,2194-ND-07-2020-B-1-5 2194-ND-08-2020-B-1-5").unwrap_err(),
        Locator::Line(2),
    );
    assert!(m.contains("`2194-ND-08-2020-B-1-5`"), "{m}");
    // A partial month inside the serial's month, without a Vintage, reads.
    let st =
        read("A,1,M1,O,G,Wind,,07/01/2020,07/15/2020,MN,REC,,5,2194-MN-07-2020-B-1-5").unwrap();
    assert_eq!(
        st.ranges[0].period_start.to_string(),
        "2020-07-01T05:00:00Z"
    );
    assert_eq!(st.ranges[0].period_end.to_string(), "2020-07-16T05:00:00Z");
    // A Vintage printed as a date of its month is that month.
    assert!(read("A,1,M1,O,G,Wind,07/15/2020,,,MN,REC,,5,2194-MN-07-2020-B-1-5").is_ok());
    // A midnight after a space is refused for its form, not as a time that
    // would be lost.
    let m = message_at(
        read("A,1,M1,O,G,Wind,07/2020,2020-07-01 00:00:00,2020-07-31,MN,REC,,5,2194-MN-07-2020-B-1-5").unwrap_err(),
        Locator::Line(2),
    );
    assert!(
        m.contains("it holds the time 00:00:00 after the day") && !m.contains("drop"),
        "{m}"
    );
}

/// A day in M-RETS' form (or YYYY-MM-DD) that the calendar lacks is said
/// in the calendar's words: it was "not a date (MM-DD-YYYY or MM/DD/YYYY)",
/// which it is written as. A day-first re-save (`13/07/2020`) is still
/// said for its form, not as a month 13.
#[test]
fn a_day_the_calendar_lacks_is_said_in_the_calendars_words() {
    let read = |row: &str| mrets_csv::read(format!("{HEADER}{row}\n").as_bytes());
    for (start, end, says) in [
        (
            "02/30/2023",
            "02/28/2023",
            "column `Generation Start`: `02/30/2023` is not a day of the calendar: February 2023 has 28 days",
        ),
        (
            "2023-02-01",
            "2023-02-30",
            "column `Generation End Date`: `2023-02-30` is not a day of the calendar: February 2023 has 28 days",
        ),
        (
            "13/02/2023",
            "02/28/2023",
            "column `Generation Start`: `13/02/2023` is not a date (MM-DD-YYYY or MM/DD/YYYY)",
        ),
    ] {
        let m = message_at(
            read(&format!(
                "A,1,M1,O,G,Wind,02/2023,{start},{end},MN,REC,,5,2194-MN-02-2023-B-1-5"
            ))
            .unwrap_err(),
            Locator::Line(2),
        );
        assert!(m.starts_with(says), "{m}");
    }
}

/// Decision 82: a state or province spanning several time zones is read
/// in its main one and the import says which, once per location, in the
/// CSV as in the confirmation PDF; one table serves both readers.
#[test]
fn the_zone_taken_for_a_state_with_several_is_said_once() {
    let rows = [
        "A,1,M1,O,G,Wind,07/2020,07/01/2020,07/31/2020,ND,REC,,5,2194-ND-07-2020-B-1-5",
        "A,1,M1,O,G,Wind,07/2020,07/01/2020,07/31/2020,ND,REC,,5,2194-ND-07-2020-C-1-5",
        "A,1,M2,O,G,Wind,07/2020,07/01/2020,07/31/2020,Texas,REC,,5,2195-TX-07-2020-B-1-5",
        "A,1,M3,O,G,Solar,07/2020,07/01/2020,07/31/2020,\"Ontario, Canada\",REC,,5,2196-ON-07-2020-B-1-5",
        "A,1,M4,O,G,Hydro,07/2020,07/01/2020,07/31/2020,TN,REC,,5,2197-TN-07-2020-B-1-5",
        "A,1,M5,O,G,Wind,07/2020,07/01/2020,07/31/2020,MN,REC,,5,2198-MN-07-2020-B-1-5",
        "A,1,M6,O,G,Wind,07/2020,07/01/2020,07/31/2020,Quebec,REC,,5,2199-QC-07-2020-B-1-5",
    ];
    let st = mrets_csv::read(format!("{HEADER}{}\n", rows.join("\n")).as_bytes()).unwrap();
    let said: Vec<(Locator, String)> = st
        .warnings
        .iter()
        .filter(|w| w.message.contains("spans several time zones"))
        .map(|w| (w.at.clone(), w.message.clone()))
        .collect();
    let several = |line: u64, place: &str, zone: &str| {
        (
            Locator::Line(line),
            format!(
                "{place} spans several time zones; its generation dates are read in {zone}, its \
                 main one"
            ),
        )
    };
    assert_eq!(
        said,
        [
            several(2, "ND", "America/Chicago"),
            several(4, "Texas", "America/Chicago"),
            several(5, "Ontario, Canada", "America/Toronto"),
            // Tennessee: Central, where most of the state and its capital
            // are (the PDF reader took Eastern, the CSV reader Central).
            several(6, "TN", "America/Chicago"),
            several(8, "Quebec", "America/Toronto"),
        ]
    );
    // Tennessee's July in Central daylight time (UTC−5).
    assert_eq!(
        st.ranges[4].period_start.to_string(),
        "2020-07-01T05:00:00Z"
    );
    // Toronto: Eastern daylight time (UTC−4).
    assert_eq!(
        st.ranges[3].period_start.to_string(),
        "2020-07-01T04:00:00Z"
    );
}

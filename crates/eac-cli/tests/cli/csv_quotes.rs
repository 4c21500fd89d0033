//! Tester 39, findings 1 and 4: a CSV cell whose quote is never closed
//! took every later row into that one cell, and `import`, `import
//! --mapping` and `consumption import` said "1 EAC added" or "Imported 1
//! consumption row(s)" with exit 0, the other rows gone (`mapping preview`
//! called the file clean); a beneficiary id holding a line break or a tab
//! was imported. Each is now refused at its line and column, nothing
//! imported.

use super::*;

const REGO: &str = "Accreditation No.,Generating Station / Agent Group,Station TIC,Scheme,\
Country,Technology Group,Generation Type,Output Period,No. Of Certificates,Start Certificate No.,\
End Certificate No.,MWh Per Certificate,Issue Date,Certificate Status,Status Date,Current Holder \
Organisation Name,Company Registration Number\r\n\
G01821BWEN,Drax Power Station (REGO),4065000.0,REGO,England,Biomass,,Mar-2023,5000,\
G01821BWEN0000000000010323310323GEN,G01821BWEN0000004999010323310323GEN,1.0,15/05/2023,Issued,\
10/11/2023,Drax Pumped Storage Limited,\"06657336\r\n\
G01177FWEN,Walney Extension,659000.0,REGO,England,Off-shore Wind,,01/03/2023 - 31/03/2023,5000,\
G01177FWEN0000251285010323310323GEN,G01177FWEN0000256284010323310323GEN,1.0,25/04/2023,Retired,\
06/06/2023,ACT,27336523\r\n";

#[test]
fn a_registry_csv_with_a_quote_never_closed_imports_nothing() {
    let desk = Desk::new();
    std::fs::write(desk.path("rego.csv"), REGO).unwrap();
    desk.eacdesk()
        .args(["import", "rego.csv"])
        .assert()
        .code(1)
        .stderr(contains(
            "rego.csv, line 2: column 217: a quoted field is not closed",
        ))
        .stdout(contains("added").not());
    assert_eq!(desk.count(), 0);
}

#[test]
fn a_mapped_csv_with_a_quote_never_closed_is_refused_by_preview_and_import() {
    let desk = Desk::new();
    std::fs::write(
        desk.path("map.json"),
        r#"{"registry":"wregis","source_id":"WREGIS","source_name":"WREGIS",
            "time_zone":"America/Los_Angeles","first":{"column":"First"},"last":{"column":"Last"},
            "per_certificate":{"value":"1"},"unit":{"value":"MWh"},"status":{"value":"retired"},
            "period_start":{"column":"From"},"period_end":{"column":"To"},
            "device_id":{"column":"Unit"}}"#,
    )
    .unwrap();
    desk.eacdesk()
        .args(["mapping", "save", "w", "map.json"])
        .assert()
        .success();
    std::fs::write(
        desk.path("w.csv"),
        "First,Last,From,To,Unit,Comment\n\
         1,100,2024-01-01,2024-01-31,W1,\"see note\n\
         101,300,2024-01-01,2024-01-31,W1,\n\
         301,400,2024-01-01,2024-01-31,W1,ok\n",
    )
    .unwrap();
    let said = "w.csv, line 2: column 32: a quoted field is not closed";
    desk.eacdesk()
        .args(["mapping", "preview", "w.csv", "--mapping", "w"])
        .assert()
        .code(1)
        .stderr(contains(said));
    desk.eacdesk()
        .args(["import", "--mapping", "w", "w.csv"])
        .assert()
        .code(1)
        .stderr(contains(said));
    assert_eq!(desk.count(), 0);
}

#[test]
fn a_consumption_csv_with_a_quote_never_closed_or_an_id_with_a_tab_imports_nothing() {
    let desk = Desk::new();
    std::fs::write(
        desk.path("cons.csv"),
        "beneficiary_type,start,end,value,unit,beneficiary\n\
         rateplan,2024-01-01,2024-02-01,100,MWh,\"SolarShare\n\
         rateplan,2024-01-01,2024-02-01,200,MWh,WindShare\n",
    )
    .unwrap();
    desk.eacdesk()
        .args(["consumption", "import", "cons.csv"])
        .assert()
        .code(1)
        .stderr(contains(
            "cons.csv:2:40: error: [quote] a quoted field is not closed",
        ))
        .stdout(contains("Imported").not());
    std::fs::write(
        desk.path("kc.csv"),
        "beneficiary_type,beneficiary,start,end,value,unit\n\
         rateplan,\"Solar\nShare\",2024-01-01,2024-02-01,100.5,MWh\n\
         rateplan,\"Wind\tShare\",2024-01-01,2024-02-01,100.5,MWh\n",
    )
    .unwrap();
    desk.eacdesk()
        .args(["consumption", "import", "kc.csv"])
        .assert()
        .code(1)
        .stderr(contains(
            "kc.csv:2:10: error: [beneficiary] column `beneficiary` (cell 2): the beneficiary \
             id holds a control character, U+000A (line feed), at character 6",
        ))
        .stderr(contains(
            "kc.csv:4:10: error: [beneficiary] column `beneficiary` (cell 2): the beneficiary \
             id holds a control character, U+0009 (tab), at character 5",
        ));
    assert!(desk
        .json(&["consumption", "ls"])
        .as_array()
        .unwrap()
        .is_empty());
}

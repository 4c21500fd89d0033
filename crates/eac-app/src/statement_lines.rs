//! An evidence pack's claim statement lines, kept on disk: the pack reads
//! its listing once, in P1 order, and the statement lists the lines by
//! beneficiary and period, so each line waits in a scratch file
//! ([`eac_store::Spill`]) until its group is written. A pack of a million
//! EACs needs no more memory for its statement than one of ten.

use std::io;

use eac_model::{Decimal, EnergyUnit, TechnologyType, Timestamp};
use eac_report::{GroupKey, Line, LineSource};
use eac_store::Spill;

use crate::AppError;

/// The lines of a statement being made, by group number.
pub(crate) struct StatementLines {
    spill: Spill,
}

impl StatementLines {
    pub(crate) fn new() -> Result<StatementLines, AppError> {
        let spill = Spill::new().map_err(|e| not_kept(&std::env::temp_dir(), &e))?;
        Ok(StatementLines { spill })
    }

    /// Keeps `line` after the earlier lines of its group.
    pub(crate) fn keep(&mut self, key: &GroupKey, line: &Line) -> Result<(), AppError> {
        self.spill
            .push(&key.to_bytes(), &record_of(line))
            .map_err(|e| not_kept(self.spill.path(), &e))
    }

    /// After the last line: makes them ready to be read group by group.
    pub(crate) fn finish(&mut self) -> Result<(), AppError> {
        self.spill
            .finish()
            .map_err(|e| not_kept(self.spill.path(), &e))
    }
}

/// The lines could not be kept in the scratch file `path`: said with the
/// temporary folder it is in, which is not the user's database nor the
/// pack (a full disk there is the likely cause).
fn not_kept(path: &std::path::Path, e: &io::Error) -> AppError {
    let folder = path.parent().filter(|_| path.is_file()).unwrap_or(path);
    AppError::scratch(
        folder,
        e,
        [
            "keep the claim statement's lines",
            " while the pack was made",
        ],
        "Nothing was written and the database is unchanged",
        "make the pack again",
    )
}

impl LineSource for StatementLines {
    fn group_count(&mut self) -> io::Result<usize> {
        self.spill.keys()
    }

    fn each(&mut self, each: &mut dyn FnMut(&GroupKey, &Line) -> io::Result<()>) -> io::Result<()> {
        // Each group's key decoded once, not once a line.
        let mut current: Option<(Vec<u8>, GroupKey)> = None;
        self.spill.each(&mut |bytes, record| {
            if current.as_ref().is_none_or(|(b, _)| b.as_slice() != bytes) {
                let key = GroupKey::from_bytes(bytes).ok_or_else(|| {
                    io::Error::new(io::ErrorKind::InvalidData, "a kept group key is damaged")
                })?;
                current = Some((bytes.to_vec(), key));
            }
            let (_, key) = current.as_ref().expect("set above");
            each(key, &line_of(record)?)
        })
    }
}

/// A line as one JSON array of its texts (the technology and unit by
/// their spec spelling, the technology `""` when not given).
fn record_of(l: &Line) -> String {
    let start = l.start.to_string();
    let end = l.end.to_string();
    let texts: [&str; 11] = [
        &l.cds_eac_id,
        &l.certificates,
        &l.registry,
        l.technology.map_or("", |t| t.as_str()),
        &l.asset_id,
        &start,
        &end,
        l.quantity.as_str(),
        l.unit.as_str(),
        &l.retired,
        &l.status,
    ];
    serde_json::to_string(&texts).expect("texts serialize")
}

/// The line [`record_of`] wrote.
fn line_of(record: &str) -> io::Result<Line> {
    let bad = |what: &str| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("a kept statement line has {what}: {record}"),
        )
    };
    let [cds_eac_id, certificates, registry, technology, asset_id, start, end, quantity, unit, retired, status]: [String; 11] =
        serde_json::from_str(record).map_err(|_| bad("not 11 texts"))?;
    let technology = if technology.is_empty() {
        None
    } else {
        Some(TechnologyType::parse(&technology).ok_or_else(|| bad("an unknown technology"))?)
    };
    Ok(Line {
        cds_eac_id,
        certificates,
        registry,
        technology,
        asset_id,
        start: Timestamp::parse(&start).map_err(|_| bad("a bad start"))?,
        end: Timestamp::parse(&end).map_err(|_| bad("a bad end"))?,
        quantity: Decimal::parse(&quantity).map_err(|_| bad("a bad quantity"))?,
        unit: EnergyUnit::parse(&unit).ok_or_else(|| bad("an unknown unit"))?,
        retired,
        status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(technology: Option<TechnologyType>, start: &str, quantity: &str) -> Line {
        Line {
            cds_eac_id: "id \"1\", ÅÉ 東京".to_owned(),
            certificates: "A – B".to_owned(),
            registry: "irec".to_owned(),
            technology,
            asset_id: "asset\nwith a line break".to_owned(),
            start: Timestamp::parse(start).unwrap(),
            end: Timestamp::parse("2024-02-01T00:00:00+01:00").unwrap(),
            quantity: Decimal::parse(quantity).unwrap(),
            unit: EnergyUnit::KWh,
            retired: "undated".to_owned(),
            status: String::new(),
        }
    }

    #[test]
    fn a_full_temporary_folder_is_named_not_the_database() {
        let kept = StatementLines::new().unwrap();
        let full = io::Error::new(io::ErrorKind::StorageFull, "No space left on device");
        let e = not_kept(kept.spill.path(), &full).to_string();
        let folder = kept.spill.path().parent().unwrap().display().to_string();
        assert!(
            e.contains(&format!("in the temporary folder {folder} while")),
            "{e}"
        );
        assert!(e.contains(": the disk is full."), "{e}");
        assert!(e.contains("the database is unchanged"), "{e}");
        assert!(e.contains("set TMPDIR"), "{e}");
    }

    #[test]
    fn a_kept_line_comes_back_exactly() {
        let mut kept = StatementLines::new().unwrap();
        let lines = [
            line(Some(TechnologyType::Wind), "2024-01-01T00:00:00Z", "1000.0"),
            line(None, "2024-01-01T00:00:00.123456789+05:30", "45.106820"),
            line(
                Some(TechnologyType::Storage),
                "2023-12-31T23:00:00-01:00",
                "1e3",
            ),
        ];
        let account = |ids: &[&str]| {
            GroupKey::new(
                Some(eac_model::BeneficiaryType::Account),
                ids.iter().map(|s| (*s).to_owned()).collect(),
                2024,
            )
        };
        let keys = [account(&["B"]), account(&["A", "東京"])];
        for (i, l) in lines.iter().enumerate() {
            kept.keep(&keys[i % 2], l).unwrap();
        }
        assert_eq!(kept.group_count().unwrap(), 2);
        let mut back = Vec::new();
        kept.each(&mut |k, l| {
            back.push((k.clone(), l.clone()));
            Ok(())
        })
        .unwrap();
        let (got_keys, back): (Vec<GroupKey>, Vec<Line>) = back.into_iter().unzip();
        assert_eq!(
            got_keys,
            [keys[1].clone(), keys[0].clone(), keys[0].clone()]
        );
        assert_eq!(back, [lines[1].clone(), lines[0].clone(), lines[2].clone()]);
        assert_eq!(back[2].quantity.as_str(), "1e3");
        assert_eq!(back[1].start.to_string(), "2024-01-01T00:00:00Z");
    }
}

//! Issue 13's "Done when", walked as a first-day analyst would, once at
//! 1280×800 and once at 1024×768: answer "how many MWh of wind did we retire
//! per quarter last year, by registry" from the summary, pick rows with the
//! mouse and with Shift+arrows and export exactly them, hand the filtered
//! view over as CSV and xlsx, close and reopen the app and find it as left.
//! Every main screen is captured as `target/e2e/first-day-SCREEN-WxH.png`
//! for a person to look at.

use std::collections::BTreeMap;
use std::process::Command;

use anyhow::{ensure, Context, Result};
use calamine::{open_workbook, Data, Reader, Xlsx};
use eac_e2e::{artifacts_dir, cli_binary, rect_of, Desk};
use fantoccini::Locator;

use super::{cli_ids, click_row, click_row_holding, load_sample, marked_rows};

/// Enough EACs for every registry and a dozen wind EACs in each year.
const EACS: u64 = 150;
const SHIFT_DOWN: &str = "\u{E008}\u{E015}\u{E000}";
const ESCAPE: &str = "\u{E00C}";

/// A screenshot once the window has painted what the DOM holds.
async fn shot(desk: &Desk, screen: &str, (w, h): (u64, u64)) -> Result<()> {
    desk.client
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 300)));",
            vec![],
        )
        .await?;
    desk.screenshot(&artifacts_dir().join(format!("first-day-{screen}-{w}x{h}.png")))
        .await
}

/// Fails unless the element `testid` is wholly on screen (a dialog cut by
/// the window's edge hides its buttons).
async fn on_screen(desk: &Desk, testid: &str, size: (u64, u64)) -> Result<()> {
    let r = desk.rect(testid).await?;
    ensure!(
        r.within(size),
        "[data-testid={testid}] is not wholly on screen at {}×{}: {r:?}",
        size.0,
        size.1
    );
    Ok(())
}

/// `eacdesk summary --json` on the app's database: exact total per
/// (first key, second key), of the groups whose third key (if any) is `third`.
fn cli_summary(
    desk: &Desk,
    by: &str,
    third: Option<&str>,
) -> Result<BTreeMap<(String, String), String>> {
    let out = Command::new(cli_binary())
        .args(["summary", "--json", "--by", by])
        .args([
            "--technology",
            "wind",
            "--from",
            "2025-01-01",
            "--to",
            "2025-12-31",
        ])
        .arg("--db")
        .arg(&desk.db)
        .output()?;
    ensure!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let mut map = BTreeMap::new();
    for g in report["groups"].as_array().context("groups")? {
        let key = |i: usize| g["keys"][i].as_str().unwrap_or("").to_owned();
        if third.is_some_and(|t| key(2) != t) {
            continue;
        }
        map.insert(
            (key(0), key(1)),
            g["total"]["total"].as_str().unwrap_or("").to_owned(),
        );
    }
    Ok(map)
}

/// The summary's pivot as shown: exact total per (period row, column key).
async fn pivot(desk: &Desk) -> Result<BTreeMap<(String, String), String>> {
    let mut map = BTreeMap::new();
    for cell in desk.all("summary-cell").await? {
        let a = |n: &'static str| {
            let cell = cell.clone();
            async move { Ok::<_, anyhow::Error>(cell.attr(n).await?.unwrap_or_default()) }
        };
        map.insert(
            (a("data-row").await?, a("data-column").await?),
            a("data-exact").await?,
        );
    }
    Ok(map)
}

/// Waits until the pivot's rows are quarters of 2025 and its totals match `want`.
async fn wait_pivot(
    desk: &Desk,
    what: &str,
    want: &BTreeMap<(String, String), String>,
) -> Result<()> {
    let last = std::cell::RefCell::new(BTreeMap::new());
    desk.until(what, || async {
        let got = pivot(desk).await?;
        let ok = &got == want;
        *last.borrow_mut() = got;
        Ok(ok.then_some(()))
    })
    .await
    .with_context(|| format!("the pivot shows {:?}, the CLI {want:?}", last.borrow()))
}

/// What an analyst sees of the Quantity column: on screen (after scrolling
/// the table sideways where needed), and no cell's number cut; the EAC
/// number column (the first) stays in view beside it, uncovered, however
/// far the table is scrolled.
async fn check_quantity_column(desk: &Desk, size: (u64, u64)) -> Result<serde_json::Value> {
    let probe = "\
        const h = document.querySelector('[data-testid=\"col-quantity\"]');\
        let s = h.parentElement;\
        while (s && !(s.scrollWidth > s.clientWidth + 1 && /auto|scroll/.test(getComputedStyle(s).overflowX))) s = s.parentElement;\
        const hr = h.getBoundingClientRect();\
        const sr = s ? s.getBoundingClientRect() : {left: 0, right: innerWidth};\
        const cut = (col) => [...document.querySelectorAll(`[data-testid=\"eac-row\"] [data-col=\"${col}\"]`)]\
          .filter((c) => c.scrollWidth > c.clientWidth + 1).map((c) => c.textContent.trim());\
        return {\
          visible: hr.left >= Math.max(0, sr.left) - 1 && hr.right <= Math.min(innerWidth, sr.right) + 1,\
          sideways: !!s, scrollbar: s ? s.offsetHeight - s.clientHeight : 0,\
          quantity_cut: cut('quantity'), number_cut: cut('eac_number'), retired_cut: cut('retired'),\
          header_right: Math.round(hr.right), inner: innerWidth };";
    let first = desk.client.execute(probe, vec![]).await?;
    let mut seen = first.clone();
    if first["visible"] != serde_json::json!(true) {
        // Scroll the table sideways, as a person would, to reach it.
        let header = desk.el("col-quantity").await?;
        desk.client
            .execute(
                "arguments[0].scrollIntoView({block: 'nearest', inline: 'nearest'});",
                vec![serde_json::to_value(&header)?],
            )
            .await?;
        seen = desk.client.execute(probe, vec![]).await?;
    }
    ensure!(
        seen["visible"] == serde_json::json!(true),
        "the Quantity column cannot be brought on screen at {}×{}: {seen}",
        size.0,
        size.1
    );
    numbers_pinned(
        desk,
        &format!("beside the Quantity column at {}×{}", size.0, size.1),
    )
    .await?;
    ensure!(
        seen["quantity_cut"]
            .as_array()
            .is_some_and(|a| a.is_empty()),
        "quantities cut at {}×{}: {seen}",
        size.0,
        size.1
    );
    let total = desk.rect("footer-totals").await?;
    ensure!(
        total.within(size),
        "the footer total is off screen: {total:?}"
    );
    Ok(first)
}

/// The EAC number column (the first, pinned) as the table shows it now: its
/// header and first rows' cells at the table's left edge, each what shows
/// at its own place (no other column over it). `when` says for the message.
async fn numbers_pinned(desk: &Desk, when: &str) -> Result<()> {
    let seen = desk
        .client
        .execute(
            "const t = document.querySelector('[data-testid=\"eac-table\"]'); const tr = t.getBoundingClientRect();\
             const cells = [t.querySelector('[data-testid=\"col-eac_number\"]'),\
               ...t.querySelectorAll('[data-testid=\"eac-row\"] [data-col=\"eac_number\"]')].slice(0, 6);\
             return cells.map((c) => { const r = c.getBoundingClientRect();\
               const on = document.elementFromPoint(r.left + 12, (r.top + r.bottom) / 2);\
               return { left: Math.round(r.left - tr.left), uncovered: !!on && c.contains(on),\
                        text: c.textContent.trim().slice(0, 40) }; });",
            vec![],
        )
        .await?;
    let cells = seen.as_array().context("the number cells")?;
    ensure!(
        cells.len() >= 2,
        "no number cells to look at {when}: {seen}"
    );
    for c in cells {
        ensure!(
            c["left"].as_i64().is_some_and(|l| (0..=2).contains(&l))
                && c["uncovered"] == serde_json::json!(true),
            "an EAC number is out of view or covered {when}: {seen}"
        );
    }
    Ok(())
}

/// The table scrolled sideways to its far end: the EAC number column (the
/// first) stays at the table's left edge, header and cells, uncovered.
async fn check_number_column_at_the_far_end(desk: &Desk, (w, h): (u64, u64)) -> Result<()> {
    let table = desk.el("eac-table").await?;
    let table = serde_json::to_value(&table)?;
    let wide: serde_json::Value = desk
        .client
        .execute(
            "const t = arguments[0]; t.scrollLeft = t.scrollWidth; return t.scrollLeft;",
            vec![table.clone()],
        )
        .await?;
    // WebKit under Xvfb paints a few frames a second.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    numbers_pinned(
        desk,
        &format!("at {w}×{h}, scrolled sideways to the end ({wide}px)"),
    )
    .await?;
    shot(desk, "table-far-end", (w, h)).await?;
    if w < 1280 {
        ensure!(
            wide.as_i64().is_some_and(|px| px > 0),
            "at {w}×{h} the table was expected wider than the window: {wide}"
        );
    }
    desk.client
        .execute("arguments[0].scrollLeft = 0;", vec![table.clone()])
        .await?;

    // By keyboard: to the last column, then back to the second: the
    // current cell comes out from under the pinned first column, beside it.
    let id = desk.attr("eac-row", "data-id").await?.context("a row id")?;
    click_row(desk, &id).await?;
    let columns: usize = desk
        .attr("eac-table", "aria-colcount")
        .await?
        .context("the column count")?
        .parse()?;
    let right = "\u{E014}".repeat(columns);
    desk.client
        .active_element()
        .await?
        .send_keys(&right)
        .await?;
    let left = "\u{E012}".repeat(columns - 2);
    desk.client.active_element().await?.send_keys(&left).await?;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let cells = desk
        .client
        .execute(
            "const row = arguments[0].querySelector(`[data-testid=\"eac-row\"][data-id=\"${arguments[1]}\"]`);\
             const [a, b] = [row.children[0].getBoundingClientRect(), row.children[1].getBoundingClientRect()];\
             return { first_right: Math.round(a.right), second_left: Math.round(b.left),\
                      scrolled: arguments[0].scrollLeft };",
            vec![table, serde_json::json!(id)],
        )
        .await?;
    eprintln!("[{w}x{h}] back to the second column by keyboard: {cells}");
    ensure!(
        cells["second_left"].as_i64().context("a place")?
            >= cells["first_right"].as_i64().context("a place")? - 1,
        "at {w}×{h} the second column's current cell is under the pinned first one: {cells}"
    );
    Ok(())
}

/// The rows of the table wholly inside its viewport: below its (sticky)
/// header, above its bottom edge or sideways scrollbar, inside the window.
async fn rows_on_screen(desk: &Desk) -> Result<u64> {
    let v = desk
        .client
        .execute(
            "const t = document.querySelector('[data-testid=\"eac-table\"]');\
             const box = t.getBoundingClientRect();\
             const top = t.querySelector('[role=\"row\"]').getBoundingClientRect().bottom;\
             const bottom = Math.min(box.top + t.clientTop + t.clientHeight, innerHeight);\
             return [...t.querySelectorAll('[data-testid=\"eac-row\"]')].filter((r) => {\
               const b = r.getBoundingClientRect();\
               return b.height > 0 && b.top >= top - 0.5 && b.bottom <= bottom + 0.5; }).length;",
            vec![],
        )
        .await?;
    v.as_u64().context("a row count")
}

/// The bars above the table: for each, whether its parts sit on one line,
/// and the controls that are not wholly inside the window.
async fn chrome(desk: &Desk) -> Result<serde_json::Value> {
    Ok(desk
        .client
        .execute(
            "const shown = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };\
             const oneRow = (els) => { const rs = els.filter(shown).map((e) => e.getBoundingClientRect());\
               return rs.length > 0 && Math.max(...rs.map((r) => r.top)) < Math.min(...rs.map((r) => r.bottom)); };\
             const kids = (sel) => [...document.querySelector(sel).children];\
             const by = (id) => document.querySelector(`[data-testid=\"${id}\"]`);\
             const bars = ['header', '[role=\"search\"]', '[data-testid=\"selection-bar\"]'];\
             const cut = bars.flatMap((b) => [...document.querySelectorAll(`${b} button, ${b} input, ${b} select, ${b} summary`)])\
               .filter(shown).filter((e) => { const r = e.getBoundingClientRect();\
                 return r.left < -0.5 || r.top < -0.5 || r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5; })\
               .map((e) => e.dataset.testid || e.id || e.textContent.trim());\
             const ctx = document.createElement('canvas').getContext('2d');\
             const hint_cut = bars.flatMap((b) => [...document.querySelectorAll(`${b} input[placeholder]`)])\
               .filter(shown).filter((e) => e.value === '').filter((e) => { const s = getComputedStyle(e);\
                 ctx.font = `${s.fontStyle} ${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;\
                 const room = e.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);\
                 return ctx.measureText(e.placeholder).width > room + 0.5; })\
               .map((e) => e.dataset.testid || e.id);\
             return {\
               title_row: oneRow([by('toolbar-about'), by('db-path'), by('toolbar-settings')]),\
               actions: oneRow(kids('nav[aria-label=\"Main actions\"]')),\
               filters: oneRow(kids('[role=\"search\"]')),\
               selection: oneRow(kids('[data-testid=\"selection-bar\"]')),\
               cut, hint_cut };",
            vec![],
        )
        .await?)
}

/// At 1280×800 every bar above the table keeps one line; at any size no
/// control of them is cut by the window's edge, and no empty box's hint
/// (its placeholder) is cut by the box.
async fn check_chrome(desk: &Desk, (w, h): (u64, u64), when: &str) -> Result<()> {
    let c = chrome(desk).await?;
    eprintln!("[{w}x{h}] the bars {when}: {c}");
    ensure!(
        c["cut"].as_array().is_some_and(|a| a.is_empty()),
        "controls cut by the window at {w}×{h} {when}: {c}"
    );
    ensure!(
        c["hint_cut"].as_array().is_some_and(|a| a.is_empty()),
        "a box's hint (placeholder) cut at {w}×{h} {when}: {c}"
    );
    if w >= 1280 {
        for bar in ["title_row", "actions", "filters", "selection"] {
            ensure!(
                c[bar] == serde_json::json!(true),
                "{bar} takes more than one line at {w}×{h} {when}: {c}"
            );
        }
    }
    Ok(())
}

async fn first_day(size: (u64, u64)) -> Result<()> {
    let (w, h) = size;
    let desk = Desk::start(&format!("first_day_{w}x{h}")).await?;
    desk.set_viewport(w, h).await?;
    desk.el("empty-state").await?;
    on_screen(&desk, "empty-load-sample", size).await?;
    shot(&desk, "empty", size).await?;
    load_sample(&desk, EACS).await?;

    // The table: the Quantity column reachable and readable, the total visible.
    let table = check_quantity_column(&desk, size).await?;
    eprintln!("[{w}x{h}] table as first shown: {table}");
    shot(&desk, "table", size).await?;
    check_number_column_at_the_far_end(&desk, size).await?;
    check_chrome(&desk, size, "with the table").await?;
    // The chrome leaves the table a screenful: 12 rows at 1280×800, 8 at 1024×768.
    let want = if w >= 1280 { 12 } else { 8 };
    let shown = rows_on_screen(&desk).await?;
    eprintln!("[{w}x{h}] rows of the table on screen: {shown}");
    ensure!(
        shown >= want,
        "the table shows {shown} whole rows at {w}×{h}, not at least {want}"
    );

    // The summary: year × technology by default.
    desk.click("summary-toggle").await?;
    desk.el("summary-pivot").await?;
    desk.el("summary-chart").await?;
    on_screen(&desk, "summary-toggle", size).await?;
    shot(&desk, "summary", size).await?;
    // The summary scrolls inside itself: the table keeps at least 5 rows.
    let beside = rows_on_screen(&desk).await?;
    eprintln!("[{w}x{h}] rows of the table on screen with the summary open: {beside}");
    ensure!(
        beside >= 5,
        "with the summary open the table shows {beside} whole rows at {w}×{h}, not at least 5"
    );

    // Click 1: last year's wind cell filters the table to wind in 2025.
    let cell = desk
        .client
        .find(Locator::Css(
            "[data-testid=\"summary-cell\"][data-row=\"2025\"][data-column=\"wind\"]",
        ))
        .await
        .context("no cell for wind in 2025")?;
    desk.client
        .execute(
            "arguments[0].scrollIntoView({block: 'nearest', inline: 'nearest'});",
            vec![serde_json::to_value(&cell)?],
        )
        .await?;
    let wind_2025: u64 = cell.attr("data-count").await?.context("count")?.parse()?;
    cell.click().await?;
    desk.wait_count("footer-count", |c| c > 0 && c < EACS)
        .await?;
    let in_filter = desk.number("footer-count").await?;
    ensure!(
        desk.el("filter-technology").await?.prop("value").await? == Some("wind".into()),
        "the cell set the technology filter"
    );
    ensure!(
        desk.el("filter-period-preset").await?.prop("value").await? == Some("last-year".into()),
        "the period preset names last year"
    );
    eprintln!("[{w}x{h}] 2025 wind cell: {wind_2025} EACs, table then {in_filter}");
    // Clicks 2 and 3: by quarter and by registry.
    desk.select("summary-period", "quarter").await?;
    desk.select("summary-column", "source").await?;
    wait_pivot(
        &desk,
        "quarter × registry of wind in 2025",
        &cli_summary(&desk, "quarter,source", None)?,
    )
    .await?;
    shot(&desk, "summary-quarter-registry", size).await?;
    check_chrome(&desk, size, "with a filter").await?;

    // Retired only: per quarter the summary splits retired from not (exact).
    desk.select("summary-column", "retired").await?;
    let by_quarter = cli_summary(&desk, "quarter,retired", None)?;
    wait_pivot(&desk, "quarter × retired of wind in 2025", &by_quarter).await?;
    // By registry *and* retired: only through the Retired filter, which keeps
    // EACs whose every value is retired.
    desk.select("summary-column", "source").await?;
    desk.select("filter-retired", "yes").await?;
    desk.wait_count("footer-count", |c| c < in_filter).await?;
    let truth = cli_summary(&desk, "quarter,source,retired", Some("retired"))?;
    let shown = desk
        .until("the pivot of fully retired EACs", || async {
            let p = pivot(&desk).await?;
            Ok((!p.is_empty() && p.keys().all(|(q, _)| q.starts_with("2025-Q"))).then_some(p))
        })
        .await?;
    eprintln!(
        "[{w}x{h}] retired wind 2025 by quarter × registry: CLI (per value) {truth:?}; \
         summary with Retired = Retired {shown:?}; same: {}",
        truth == shown
    );
    shot(&desk, "summary-retired", size).await?;
    desk.select("filter-retired", "").await?;
    desk.wait_count("footer-count", |c| c == in_filter).await?;

    // Close the summary to pick rows in the whole table.
    desk.click("summary-close").await?;
    // Pick rows: a click, a Shift-click two rows down, Shift+Down once more.
    let rows = desk
        .until("rows of the filter", || async {
            let ids = desk.row_ids().await?;
            Ok((ids.len() >= 5).then_some(ids))
        })
        .await?;
    click_row(&desk, &rows[0]).await?;
    desk.wait_text("detail-cds-eac-id", "to show the clicked EAC", |t| {
        t.contains(&rows[0])
    })
    .await?;
    shot(&desk, "detail", size).await?;
    // The values table of the detail pane shows whole quantities.
    let values = desk
        .client
        .find_all(Locator::Css("[data-testid=\"value-row\"] [data-exact]"))
        .await?;
    ensure!(!values.is_empty(), "the detail pane lists values");
    for v in values.iter().take(3) {
        let r = rect_of(&desk.client, v).await?;
        let cut = desk
            .client
            .execute(
                "return arguments[0].scrollWidth > arguments[0].clientWidth + 1;",
                vec![serde_json::to_value(v)?],
            )
            .await?;
        ensure!(
            r.right <= i64::try_from(w)? && cut == serde_json::json!(false),
            "a value's quantity is cut or off screen at {w}×{h}: {r:?}"
        );
    }
    click_row_holding(&desk, &rows[2], fantoccini::key::Key::Shift).await?;
    desk.el("eac-table").await?.send_keys(SHIFT_DOWN).await?;
    desk.wait_text("selection-status", "to count 4 picked rows", |t| {
        t.contains("4 selected")
    })
    .await?;
    let mut picked = rows[..4].to_vec();
    picked.sort();
    ensure!(
        marked_rows(&desk).await? == picked,
        "the rows marked are the picked ones"
    );
    on_screen(&desk, "selection-bar", size).await?;
    shot(&desk, "selection", size).await?;
    check_chrome(&desk, size, "with 4 rows picked").await?;

    // Act on exactly them: the table export names them and writes them.
    let dir = desk.dir.path().to_owned();
    desk.click_in_menu("selection-more", "table-export-open")
        .await?;
    desk.wait_text("table-export-scope", "the picked rows", |t| {
        t.contains("4 selected EACs")
    })
    .await?;
    on_screen(&desk, "table-export-dialog", size).await?;
    desk.click("table-export-csv").await?;
    let picked_csv = dir.join("picked.csv");
    desk.type_into("table-export-path", &picked_csv.to_string_lossy())
        .await?;
    shot(&desk, "export-dialog", size).await?;
    desk.click("table-export-run").await?;
    desk.wait_attr("table-export-result", "data-rows", |r| r == "4")
        .await?;
    on_screen(&desk, "table-export-dialog", size).await?;
    desk.click("table-export-done").await?;
    let csv = std::fs::read_to_string(&picked_csv)?;
    ensure!(
        csv.lines().filter(|l| !l.is_empty()).count() == 5,
        "a header and 4 rows: {csv}"
    );
    for id in &rows {
        ensure!(
            csv.contains(id.as_str()) == picked.contains(id),
            "{id} in the CSV of the picked rows: {}",
            csv.contains(id.as_str())
        );
    }

    // Hand the whole view over: Escape lets the picked rows go, then xlsx.
    desk.el("eac-table").await?.send_keys(ESCAPE).await?;
    desk.wait_attr("selection-bar", "data-scope", |s| s == "filter")
        .await?;
    desk.click_in_menu("selection-more", "table-export-open")
        .await?;
    desk.wait_text("table-export-scope", "the whole filter", |t| {
        t.contains("current filter") && t.contains(&format!("({in_filter} EACs)"))
    })
    .await?;
    desk.click("table-export-xlsx").await?;
    let view = dir.join("wind-2025.xlsx");
    desk.type_into("table-export-path", &view.to_string_lossy())
        .await?;
    desk.click("table-export-run").await?;
    desk.wait_attr("table-export-result", "data-rows", |r| {
        r == in_filter.to_string()
    })
    .await?;
    desk.click("table-export-done").await?;
    let mut book: Xlsx<_> = open_workbook(&view)?;
    let first = book.sheet_names()[0].clone();
    let sheet = book.worksheet_range(&first)?;
    ensure!(
        sheet.height() as u64 == in_filter + 1,
        "a header and {in_filter} rows, not {}",
        sheet.height()
    );
    let numbers = sheet
        .rows()
        .skip(1)
        .flatten()
        .filter(|c| matches!(c, Data::Float(_) | Data::Int(_)))
        .count();
    ensure!(
        numbers >= in_filter as usize,
        "quantities are numeric cells ({numbers})"
    );
    let cells: Vec<String> = sheet.rows().flatten().map(|c| c.to_string()).collect();
    let mut listed = cli_ids(
        &desk,
        &[
            "--technology",
            "wind",
            "--from",
            "2025-01-01",
            "--to",
            "2025-12-31",
        ],
    )?;
    listed.retain(|id| !cells.contains(id));
    ensure!(
        listed.is_empty(),
        "EACs of the view missing from the workbook: {listed:?}"
    );

    // Close and reopen: the filter, the summary and the table as left.
    let settings = desk.dir.path().join("home/config/eacdesk/settings.json");
    let db = desk.db.to_string_lossy().into_owned();
    desk.until("the filter in the settings file", || async {
        let text = std::fs::read_to_string(&settings).unwrap_or_default();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        Ok((json["databases"][&db]["filter"]["technology"] == "wind").then_some(()))
    })
    .await?;
    let desk = desk.restart(&format!("first_day_{w}x{h}_again")).await?;
    let reopened_at = desk.viewport().await?;
    desk.set_viewport(w, h).await?;
    desk.wait_count("footer-count", |c| c == in_filter).await?;
    ensure!(
        desk.el("filter-technology").await?.prop("value").await? == Some("wind".into()),
        "the technology filter came back"
    );
    ensure!(
        desk.el("filter-from").await?.prop("value").await? == Some("2025-01-01".into())
            && desk.el("filter-to").await?.prop("value").await? == Some("2025-12-31".into()),
        "the period came back"
    );
    let summary_back = desk.shown("summary-view").await?;
    eprintln!(
        "[{w}x{h}] after reopening: window {}×{} before resizing, summary open again: {summary_back}",
        reopened_at.0, reopened_at.1
    );
    check_quantity_column(&desk, size).await?;
    shot(&desk, "reopened", size).await?;
    desk.quit().await
}

#[tokio::test]
#[ignore = "needs the built app; run via make test"]
async fn first_day_at_1280x800() -> Result<()> {
    first_day((1280, 800)).await
}

#[tokio::test]
#[ignore = "needs the built app; run via make test"]
async fn first_day_at_1024x768() -> Result<()> {
    first_day((1024, 768)).await
}

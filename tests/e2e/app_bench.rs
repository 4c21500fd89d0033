//! The desktop app on a large portfolio (issue 16): how long from the app's
//! start until the first rows and the count are on screen, and how long a
//! sort, a search, clearing it and scrolling take, with the longest time
//! the page's main thread was busy while each runs (over 50 ms is a stutter
//! a person notices).
//!
//! A benchmark, not a test: `scripts/bench-app.sh` (run by `make bench`)
//! makes the database and runs it; `make test` never does (it is ignored).
//! It prints what it measured (also written to `target/e2e/app-bench.md`)
//! and fails only when the app does not do what was asked.
//!
//! Needs `EACDESK_BENCH_DB`: the database to open (a copy is opened, the
//! file itself is never touched).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use eac_e2e::{app_binary, artifacts_dir, Desk};
use fantoccini::Locator;
use serde_json::Value;

const POLL: Duration = Duration::from_millis(5);
const DEADLINE: Duration = Duration::from_secs(120);

/// Starts recording how late a 4 ms timer fires, again and again: a late
/// timer is the main thread busy (script, layout, paint), which is what a
/// person sees as a stutter. `requestAnimationFrame` would be the direct
/// measure, but WebKitGTK under Xvfb paints only a few frames a second
/// when nothing changes, so its gaps say nothing about the app.
const STALLS_START: &str =
    "window.__gaps = []; window.__stop = false; let last = performance.now(); \
    const f = () => { const t = performance.now(); window.__gaps.push(t - last); last = t; \
      if (!window.__stop) setTimeout(f, 4); }; setTimeout(f, 4);";
/// Stops it: `[longest gap ms, ticks, gaps over 50 ms]`.
const STALLS_STOP: &str = "window.__stop = true; const g = window.__gaps || []; \
    return [g.length ? Math.max(...g) : 0, g.length, g.filter((x) => x > 50).length];";

/// What the table shows now: `[rows in the DOM, footer count or null,
/// first row's id or null, first row's index or null, page clock ms, rows
/// still placeholders (loading, or loaded and waiting for a frame to be drawn)]`.
const STATE: &str = "const rows = document.querySelectorAll('[data-testid=eac-row]'); \
    const c = document.querySelector('strong[data-testid=footer-count]'); \
    const busy = document.querySelectorAll('[data-testid=eac-table] [role=row][aria-busy=true]'); \
    return [rows.length, c ? Number(c.dataset.count) : null, \
      rows.length ? rows[0].dataset.id : null, \
      rows.length ? Number(rows[0].dataset.index) : null, performance.now(), busy.length];";

#[derive(Debug, Clone, PartialEq)]
struct Shown {
    rows: u64,
    count: Option<u64>,
    first_id: Option<String>,
    first_index: Option<u64>,
    page_ms: f64,
    /// rows not drawn yet: a step is done when every row on show is drawn
    placeholders: u64,
}

async fn shown(desk: &Desk) -> Result<Shown> {
    let v = desk.client.execute(STATE, vec![]).await?;
    let a = v.as_array().context("table state")?;
    Ok(Shown {
        rows: a[0].as_u64().unwrap_or(0),
        count: a[1].as_u64(),
        first_id: a[2].as_str().map(str::to_owned),
        first_index: a[3].as_u64(),
        page_ms: a[4].as_f64().unwrap_or(0.0),
        placeholders: a[5].as_u64().unwrap_or(0),
    })
}

/// Polls until `done` holds for what the table shows.
async fn wait_for(desk: &Desk, what: &str, mut done: impl FnMut(&Shown) -> bool) -> Result<Shown> {
    let until = Instant::now() + DEADLINE;
    loop {
        let s = shown(desk).await?;
        if done(&s) {
            return Ok(s);
        }
        if Instant::now() > until {
            bail!("timed out waiting for {what}; the table shows {s:?}");
        }
        tokio::time::sleep(POLL).await;
    }
}

/// How long ago the app's process started, in hundredths of a second (from
/// /proc: its start time in clock ticks after boot, and the time since boot,
/// both in hundredths: Linux's USER_HZ is 100 on every architecture Debian
/// ships).
fn app_age_centis() -> Result<u64> {
    let app = app_binary();
    let name = app
        .file_name()
        .context("app name")?
        .to_string_lossy()
        .into_owned();
    let comm_name: String = name.chars().take(15).collect();
    let uptime = std::fs::read_to_string("/proc/uptime")?;
    let uptime: u64 = uptime
        .split(' ')
        .next()
        .context("uptime")?
        .replace('.', "")
        .parse()?;
    let mut newest: Option<u64> = None;
    for entry in std::fs::read_dir("/proc")? {
        let entry = entry?;
        let Ok(comm) = std::fs::read_to_string(entry.path().join("comm")) else {
            continue;
        };
        if comm.trim() != comm_name {
            continue;
        }
        let stat = std::fs::read_to_string(entry.path().join("stat"))?;
        // Fields after the command's closing parenthesis; starttime is field 22.
        let rest = &stat[stat.rfind(')').context("stat")? + 2..];
        let start: u64 = rest.split(' ').nth(19).context("starttime")?.parse()?;
        let age = uptime.saturating_sub(start);
        newest = Some(newest.map_or(age, |n| n.min(age)));
    }
    newest.with_context(|| format!("no running {name}"))
}

struct Step {
    what: String,
    seconds: f64,
    longest_stall_ms: Option<f64>,
    ticks: Option<u64>,
    /// how many times the main thread was busy for over 50 ms in a row
    over_50: Option<u64>,
}

/// Runs `act`, then waits until `done`; the time and the longest frame gap.
async fn measured<F, Fut>(
    desk: &Desk,
    what: &str,
    act: F,
    done: impl FnMut(&Shown) -> bool,
) -> Result<(Step, Shown)>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<()>>,
{
    desk.client.execute(STALLS_START, vec![]).await?;
    let t = Instant::now();
    act().await?;
    // done once every row on show is drawn, none left as a placeholder
    let mut done = done;
    let s = wait_for(desk, what, |s| s.placeholders == 0 && done(s)).await?;
    let seconds = t.elapsed().as_secs_f64();
    // Once more round the event loop: the work that paints the result counts too.
    desk.client
        .execute_async(
            "const done = arguments[arguments.length - 1]; setTimeout(done, 20);",
            vec![],
        )
        .await?;
    let frames = desk.client.execute(STALLS_STOP, vec![]).await?;
    Ok((
        Step {
            what: what.to_owned(),
            seconds,
            longest_stall_ms: frames[0].as_f64(),
            ticks: frames[1].as_u64(),
            over_50: frames[2].as_u64(),
        },
        s,
    ))
}

async fn run_script(desk: &Desk, script: &str, args: Vec<Value>) -> Result<()> {
    desk.client.execute(script, args).await?;
    Ok(())
}

#[tokio::test]
#[ignore = "a benchmark: scripts/bench-app.sh runs it"]
async fn app_on_a_large_portfolio() -> Result<()> {
    let db = PathBuf::from(
        std::env::var_os("EACDESK_BENCH_DB").context("EACDESK_BENCH_DB names the database")?,
    );
    let search = std::env::var("EACDESK_BENCH_SEARCH").unwrap_or_else(|_| "CUST-0123".into());
    let dir = tempfile::Builder::new()
        .prefix("eacdesk-bench-")
        .tempdir()?;
    std::fs::copy(&db, dir.path().join("e2e.eacdesk.sqlite"))
        .with_context(|| format!("copying {}", db.display()))?;

    let launched = Instant::now();
    let desk = Desk::start_in("app-bench", dir, &[]).await?;
    let first = wait_for(&desk, "the first rows and the count", |s| {
        s.rows > 0 && s.count.is_some()
    })
    .await?;
    let since_launch = launched.elapsed().as_secs_f64();
    let age = app_age_centis()?;
    let total = first.count.unwrap_or(0);

    // The page's own timeline until then (navigation, paints, loads).
    let calls = desk
        .client
        .execute(
            "const n = performance.getEntriesByType('navigation')[0]; \
             const marks = n ? [['response end', n.responseEnd], ['DOM interactive', n.domInteractive], \
               ['DOMContentLoaded end', n.domContentLoadedEventEnd], ['load end', n.loadEventEnd]] : []; \
             return marks.concat(performance.getEntriesByType('paint').map(e => [e.name, e.startTime]), \
               performance.getEntriesByType('mark').map(e => [e.name, e.startTime]), \
               performance.getEntriesByType('measure').map(e => [e.name, e.startTime, e.duration]), \
               performance.getEntriesByType('resource').map(e => [e.name, e.startTime, e.duration]));",
            vec![],
        )
        .await?;
    let mut ipc = String::new();
    let mut first_rows_mark: Option<u64> = None;
    for c in calls.as_array().into_iter().flatten() {
        let name = c[0].as_str().unwrap_or("");
        if name == "eacdesk:first-rows" {
            first_rows_mark = c[1].as_f64().map(|ms| ms.round() as u64);
        }
        let command = name.rsplit('/').next().unwrap_or(name);
        ipc.push_str(&format!(
            "| {command} | {:.0} | {} |\n",
            c[1].as_f64().unwrap_or(0.0),
            c[2].as_f64().map_or(String::new(), |d| format!("{d:.0}"))
        ));
    }

    // The rows still to be drawn after the first ones (a few frames): the
    // baseline below is the page with nothing left to do.
    wait_for(&desk, "every row on show drawn", |s| s.placeholders == 0).await?;
    let mut steps = Vec::new();
    // The machine's own frame rate, nothing asked of the app: what the
    // steps below compare with.
    let (step, _) = measured(
        &desk,
        "idle for a second (the baseline)",
        || async {
            tokio::time::sleep(Duration::from_secs(1)).await;
            Ok(())
        },
        |_| true,
    )
    .await?;
    steps.push(step);
    // What drawing a screenful of new rows costs the page, apart from the
    // machine's noise: 20 scrolls of 100 rows within the rows loaded at the
    // start (nothing fetched), each timed from the animation frame's start
    // to its style and layout done (Svelte, then WebKit; painting is on
    // WebKit's compositor), the next only once every row is drawn.
    let draws = desk
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             const t = document.querySelector('[data-testid=eac-table]'); const out = []; let k = 0; \
             const busy = () => t.querySelectorAll('[role=row][aria-busy=true]').length > 0; \
             const one = () => { let start = 0; \
               requestAnimationFrame(() => { start = performance.now(); }); \
               t.scrollTop = k % 2 ? 0 : 3400; t.dispatchEvent(new Event('scroll')); \
               requestAnimationFrame(() => { const mid = performance.now(); \
                 const rows = t.querySelectorAll('[data-testid=eac-row]'); \
                 if (rows.length) rows[rows.length - 1].getBoundingClientRect(); \
                 const end = performance.now(); out.push([end - start, mid - start, end - mid]); \
                 const next = () => { if (busy()) setTimeout(next, 10); \
                   else if (++k < 20) setTimeout(one, 30); else { t.scrollTop = 0; done(out); } }; \
                 setTimeout(next, 10); }); }; \
             one();",
            vec![],
        )
        .await?;
    // [whole frame, script (Svelte), style and layout] per scroll
    let part = |k: usize| -> Vec<f64> {
        let mut v: Vec<f64> = draws
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| d[k].as_f64())
            .collect();
        v.sort_by(f64::total_cmp);
        v
    };
    let (draw_ms, script_ms, layout_ms) = (part(0), part(1), part(2));
    wait_for(&desk, "the top of the table again", |s| {
        s.placeholders == 0 && s.first_index == Some(0)
    })
    .await?;

    // Quantity ascending, then descending: the first row changes each time.
    let mut first_id = first.first_id.clone();
    for what in ["sort by quantity", "sort by quantity, reversed"] {
        let before = first_id.clone();
        let (step, sorted) = measured(
            &desk,
            what,
            || async {
                desk.client
                    .find(Locator::Css("[data-testid=col-quantity] button"))
                    .await?
                    .click()
                    .await?;
                Ok(())
            },
            |s| s.rows > 0 && s.first_id != before,
        )
        .await?;
        steps.push(step);
        first_id = sorted.first_id;
    }

    let (step, found) = measured(
        &desk,
        &format!("search `{search}` (Enter)"),
        || async {
            let field = desk.el("search").await?;
            field.send_keys(&format!("{search}\u{E007}")).await?;
            Ok(())
        },
        |s| s.count.is_some_and(|c| c < total),
    )
    .await?;
    if found.count == Some(0) {
        bail!("`{search}` matches no EAC: set EACDESK_BENCH_SEARCH to text that does");
    }
    steps.push(step);
    let (step, _) = measured(
        &desk,
        "clear the search (Enter)",
        || async {
            run_script(
                &desk,
                "const f = document.querySelector('[data-testid=search]'); \
                 f.value = ''; f.dispatchEvent(new Event('input', { bubbles: true })); \
                 f.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));",
                vec![],
            )
            .await
        },
        |s| s.count == Some(total) && s.rows > 0,
    )
    .await?;
    steps.push(step);

    // Scrolling: 60 steps of a fast wheel (1 200 px every 16 ms), then a
    // jump to the middle of the table, each waiting for its rows to be loaded.
    // First within the rows loaded at the start (nothing to fetch: what
    // rendering alone costs), then fast enough to need a page after page.
    for (px, what, past) in [
        (40, "scroll 60 × 40 px within the loaded rows", 20),
        (1200, "scroll 60 × 1200 px, one every 16 ms", 1000),
    ] {
        let (step, _) = measured(
            &desk,
            what,
            || async {
                desk.client
                    .execute_async(
                        "const [px, done] = [arguments[0], arguments[arguments.length - 1]]; \
                         const t = document.querySelector('[data-testid=eac-table]'); let n = 0; \
                         const f = () => { t.scrollTop += px; if (++n < 60) setTimeout(f, 16); else done(); }; \
                         setTimeout(f, 16);",
                        vec![Value::from(px)],
                    )
                    .await?;
                Ok(())
            },
            |s| s.first_index.is_some_and(|i| i > past) && s.first_id.is_some(),
        )
        .await?;
        steps.push(step);
    }
    let middle = total / 2;
    let (step, _) = measured(
        &desk,
        "jump to the middle",
        || async {
            run_script(
                &desk,
                "const t = document.querySelector('[data-testid=eac-table]'); \
                 t.scrollTop = t.scrollHeight / 2;",
                vec![],
            )
            .await
        },
        |s| {
            s.first_index
                .is_some_and(|i| i + 1000 > middle && i < middle + 1000)
        },
    )
    .await?;
    steps.push(step);
    // More jumps far away (one alone says little on a busy machine): the
    // median and the worst of their longest stalls.
    let mut jumps = Vec::new();
    for percent in [10u64, 30, 70, 90, 20] {
        let target = total * percent / 100;
        let (step, _) = measured(
            &desk,
            &format!("jump to {percent} %"),
            || async {
                run_script(
                    &desk,
                    "const t = document.querySelector('[data-testid=eac-table]'); \
                     t.scrollTop = t.scrollHeight * arguments[0] / 100;",
                    vec![Value::from(percent)],
                )
                .await
            },
            |s| {
                s.first_index
                    .is_some_and(|i| i + 1000 > target && i < target + 1000)
            },
        )
        .await?;
        jumps.push(step);
    }
    let mut stalls: Vec<f64> = jumps.iter().filter_map(|s| s.longest_stall_ms).collect();
    stalls.sort_by(f64::total_cmp);
    let mut secs: Vec<f64> = jumps.iter().map(|s| s.seconds).collect();
    secs.sort_by(f64::total_cmp);
    let summary = Step {
        what: format!(
            "the {} jumps above: median (the worst stall {:.0} ms)",
            jumps.len(),
            stalls.last().copied().unwrap_or(0.0)
        ),
        seconds: secs[secs.len() / 2],
        longest_stall_ms: Some(stalls[stalls.len() / 2]),
        ticks: None,
        over_50: Some(jumps.iter().filter_map(|s| s.over_50).sum()),
    };
    steps.extend(jumps);
    steps.push(summary);
    desk.quit().await?;

    // Whole milliseconds are plenty; integers keep the report exact.
    let page_ms = first.page_ms.round() as u64;
    let mut report = String::new();
    report.push_str(&format!(
        "App on `{}` ({} EACs), {}\n\n",
        db.display(),
        total,
        app_binary().display()
    ));
    report.push_str("| step | seconds | longest main-thread stall (ms) | 4 ms timer ticks | stalls over 50 ms |\n|---|---:|---:|---:|---:|\n");
    report.push_str(&format!(
        "| app start → first rows and count (process age) | {}.{:02} | | |\n\
         | session request → first rows and count (incl. WebKitWebDriver) | {since_launch:.2} | | |\n\
         | page load → first rows and count (page clock) | {}.{:03} | | |\n",
        age / 100,
        age % 100,
        page_ms / 1000,
        page_ms % 1000,
    ));
    if let Some(mark) = first_rows_mark {
        // The process's age when the page marked its first rows: its age
        // when the rows were seen, less the page time in between.
        let seen_ms = age * 10;
        let shown_ms = seen_ms.saturating_sub(page_ms.saturating_sub(mark));
        report.push_str(&format!(
            "| app start → first rows loaded (process age at the page's mark) | {}.{:03} | | |\n",
            shown_ms / 1000,
            shown_ms % 1000
        ));
    }
    for s in &steps {
        report.push_str(&format!(
            "| {} | {:.3} | {} | {} | {} |\n",
            s.what,
            s.seconds,
            s.longest_stall_ms.map_or("—".into(), |m| format!("{m:.0}")),
            s.ticks.map_or("—".into(), |n| n.to_string()),
            s.over_50.map_or("—".into(), |n| n.to_string()),
        ));
    }
    if !draw_ms.is_empty() {
        report.push_str(&format!(
            "\nDrawing a screenful of new rows (20 scrolls of 100 loaded rows; Svelte, style and layout in the frame): \
             median {:.1} ms (script {:.1}, style and layout {:.1}), quickest {:.1}, slowest {:.1}\n",
            draw_ms[draw_ms.len() / 2],
            script_ms[script_ms.len() / 2],
            layout_ms[layout_ms.len() / 2],
            draw_ms[0],
            draw_ms[draw_ms.len() - 1]
        ));
    }
    report.push_str(
        "\nThe page's own marks until the first rows (page clock, ms):\n\n| mark | at | took |\n|---|---:|---:|\n",
    );
    report.push_str(&ipc);
    println!("{report}");
    std::fs::write(artifacts_dir().join("app-bench.md"), &report)?;
    Ok(())
}

//! Harness for the end-to-end tests: starts the real, built EAC Desk binary in
//! real WebKit through `tauri-driver` (which starts `WebKitWebDriver`, which
//! starts the app) on a fresh temporary database, and drives it through the
//! UI's `data-testid`s (`ui/TESTIDS.md`) the way a person would: click, type,
//! read what is shown.
//!
//! Never sleeps a fixed time: every wait polls the DOM against a deadline, so
//! a slow machine makes tests slower, not flaky, and a broken app fails with
//! a message naming what never appeared. Never touches the user's database:
//! the app is pointed at a temp file and its home directory is a temp dir too.
//!
//! Needs a display (run under `xvfb-run -a`), `tauri-driver`,
//! `WebKitWebDriver` and the app built with the UI embedded (`make test` does
//! all of it).

use std::future::Future;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
pub use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tempfile::TempDir;

/// How long anything the UI does may take before a test fails. Generous:
/// the CI machine has two cores and the first start of WebKit is slow.
pub const DEADLINE: Duration = Duration::from_secs(30);
/// A session starts the app itself: WebKit's first start on a loaded
/// 2-core machine once took longer than [`DEADLINE`] (a `make test` run
/// failed its first test there), so it gets longer.
const SESSION_DEADLINE: Duration = Duration::from_secs(90);
const POLL: Duration = Duration::from_millis(100);

/// The repository root (this crate lives in `tests/e2e`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("tests/e2e sits two levels below the repository root")
        .to_path_buf()
}

pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"))
}

/// The desktop app under test; `EACDESK_APP` overrides.
pub fn app_binary() -> PathBuf {
    std::env::var_os("EACDESK_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("debug").join("eac-desk"))
}

/// The command-line tool, to check exported files with the real validator.
pub fn cli_binary() -> PathBuf {
    target_dir().join("debug").join("eacdesk")
}

/// A fixture file of this crate.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// Where tests leave artifacts worth looking at (screenshots, driver logs).
pub fn artifacts_dir() -> PathBuf {
    let dir = target_dir().join("e2e");
    std::fs::create_dir_all(&dir).expect("create target/e2e");
    dir
}

fn tauri_driver() -> PathBuf {
    if let Some(p) = std::env::var_os("TAURI_DRIVER") {
        return PathBuf::from(p);
    }
    let in_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("tauri-driver"))
            .find(|p| p.is_file())
    });
    in_path.unwrap_or_else(|| {
        let cargo_home = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo")
            });
        cargo_home.join("bin").join("tauri-driver")
    })
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// `tauri-driver` as a child process, stopped with SIGTERM (it then stops
/// WebKitWebDriver and the app) even when a test panics.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let pid = self.0.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let until = Instant::now() + Duration::from_secs(5);
        while Instant::now() < until {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One running EAC Desk on its own fresh database.
pub struct Desk {
    pub client: Client,
    /// Temp dir holding the database, the fake home and files tests write.
    pub dir: TempDir,
    pub db: PathBuf,
    // Dropped last: the session must end before the driver does.
    _driver: Driver,
}

impl Desk {
    /// Starts the app on a fresh database in a new temp dir. `name` labels the
    /// driver log in `target/e2e/`.
    pub async fn start(name: &str) -> Result<Desk> {
        Desk::start_with_args(name, &[]).await
    }

    /// [`Desk::start`] with `args` on the app's command line (files to open,
    /// as a desktop entry's `%F` passes them).
    pub async fn start_with_args(name: &str, args: &[String]) -> Result<Desk> {
        let dir = tempfile::Builder::new().prefix("eacdesk-e2e-").tempdir()?;
        Desk::start_in(name, dir, args).await
    }

    /// Closes the app and starts it again on the same database and home
    /// (settings file included): what a user sees on the next launch.
    pub async fn restart(self, name: &str) -> Result<Desk> {
        let Desk {
            client,
            dir,
            _driver,
            ..
        } = self;
        client.close().await?;
        drop(_driver);
        Desk::start_in(name, dir, &[]).await
    }

    /// Starts the app on the database and home inside `dir` (made when
    /// missing): `dir/e2e.eacdesk.sqlite` may be an existing database.
    pub async fn start_in(name: &str, dir: TempDir, args: &[String]) -> Result<Desk> {
        let db = dir.path().join("e2e.eacdesk.sqlite");
        Desk::start_on(name, dir, args, db).await
    }

    /// Starts the app on the database on a PostgreSQL server at `address`
    /// (`postgres://…`, as `EACDESK_DB` takes it), with a fresh home.
    pub async fn start_on_server(name: &str, address: &str) -> Result<Desk> {
        let dir = tempfile::Builder::new().prefix("eacdesk-e2e-").tempdir()?;
        Desk::start_on(name, dir, &[], PathBuf::from(address)).await
    }

    async fn start_on(name: &str, dir: TempDir, args: &[String], db: PathBuf) -> Result<Desk> {
        let app = app_binary();
        if !app.is_file() {
            bail!(
                "{} is missing: build the app first (make test does; or \
                 `cargo build --workspace --all-targets` after `npm run build` in ui/)",
                app.display()
            );
        }
        let home = dir.path().join("home");
        for sub in ["data", "config", "cache"] {
            std::fs::create_dir_all(home.join(sub))?;
        }

        let port = free_port()?;
        let native_port = loop {
            let p = free_port()?;
            if p != port {
                break p;
            }
        };
        let log = std::fs::File::create(artifacts_dir().join(format!("{name}.driver.log")))?;
        let driver = Command::new(tauri_driver())
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            // Reaches the app through WebKitWebDriver. HOME and XDG dirs point
            // into the temp dir so nothing can touch the real default database.
            .env("EACDESK_DB", &db)
            // The evidence-pack signing key goes to the temp dir too.
            .env("EACDESK_KEY_DIR", home.join("keys"))
            .env("HOME", &home)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {}", tauri_driver().display()))?;
        let driver = Driver(driver);

        // tauri-driver listens at once but starts WebKitWebDriver behind it;
        // a session asked for before both listen fails with "connection refused".
        let until = Instant::now() + DEADLINE;
        for p in [port, native_port] {
            while TcpStream::connect(("127.0.0.1", p)).is_err() {
                if Instant::now() > until {
                    bail!("tauri-driver/WebKitWebDriver did not listen on port {p} within {DEADLINE:?}");
                }
                tokio::time::sleep(POLL).await;
            }
        }

        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            json!({ "application": app.to_string_lossy(), "args": args }),
        );
        let client = tokio::time::timeout(
            SESSION_DEADLINE,
            ClientBuilder::new(HttpConnector::new())
                .capabilities(caps)
                .connect(&format!("http://127.0.0.1:{port}")),
        )
        .await
        .context("WebDriver session did not start in time")?
        .context("WebDriver session")?;

        let desk = Desk {
            client,
            dir,
            db,
            _driver: driver,
        };
        // Record what the Content Security Policy blocks from here on; a
        // strict CSP that silently breaks a style or a script would otherwise
        // only show as a subtly wrong screen.
        desk.client
            .execute(
                "window.__cspViolations = [];\
                 document.addEventListener('securitypolicyviolation', (e) =>\
                   window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));",
                vec![],
            )
            .await?;
        Ok(desk)
    }

    /// Checks that the CSP blocked nothing, then ends the WebDriver session
    /// (the app closes); the driver stops on drop.
    pub async fn quit(self) -> Result<()> {
        self.check_csp().await?;
        self.client.clone().close().await?;
        Ok(())
    }

    /// Fails when the Content Security Policy blocked anything so far.
    pub async fn check_csp(&self) -> Result<()> {
        let blocked = self
            .client
            .execute("return window.__cspViolations || [];", vec![])
            .await?;
        if blocked.as_array().is_some_and(|v| !v.is_empty()) {
            bail!("the Content Security Policy blocked: {blocked}");
        }
        Ok(())
    }

    /// Presses the window's close button the way a window manager does: a
    /// `WM_DELETE_WINDOW` message to the X window titled with this test's
    /// database (WebDriver can only destroy a window, not ask it to close).
    pub fn ask_window_to_close(&self) -> Result<()> {
        use x11rb::protocol::xproto::{ClientMessageEvent, ConnectionExt, EventMask};
        let (conn, _) = x11rb::connect(None).context("connecting to the X display")?;
        let window = self
            .app_window(&conn)?
            .context("the app's window was not found on the X display")?;
        let atom =
            |name: &[u8]| -> Result<u32> { Ok(conn.intern_atom(false, name)?.reply()?.atom) };
        let protocols = atom(b"WM_PROTOCOLS")?;
        let delete = atom(b"WM_DELETE_WINDOW")?;
        let event = ClientMessageEvent::new(
            32,
            window,
            protocols,
            [delete, x11rb::CURRENT_TIME, 0, 0, 0],
        );
        conn.send_event(false, window, EventMask::NO_EVENT, event)?
            .check()
            .context("sending WM_DELETE_WINDOW")?;
        // A round trip: the server has handled the request before we hang up.
        conn.get_input_focus()?.reply()?;
        Ok(())
    }

    /// Waits until the app's window has left the X display (after a close).
    pub async fn wait_window_gone(&self) -> Result<()> {
        self.until("the window to close", || async {
            Ok((!self.window_exists()?).then_some(()))
        })
        .await
    }

    /// The UI state the settings file holds for this test's database
    /// (`null` when none, or the file cannot be read yet).
    pub fn remembered_state(&self) -> serde_json::Value {
        let settings = self.dir.path().join("home/config/eacdesk/settings.json");
        let text = std::fs::read_to_string(settings).unwrap_or_default();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        json["databases"][self.db.to_string_lossy().as_ref()].clone()
    }

    /// Whether the app's window is still on the X display.
    pub fn window_exists(&self) -> Result<bool> {
        let (conn, _) = x11rb::connect(None).context("connecting to the X display")?;
        Ok(self.app_window(&conn)?.is_some())
    }

    /// The top-level X window whose title names this test's database.
    fn app_window(&self, conn: &impl x11rb::connection::Connection) -> Result<Option<u32>> {
        use x11rb::protocol::xproto::{AtomEnum, ConnectionExt};
        let needle = self.db.to_string_lossy().into_owned();
        let net_wm_name = conn.intern_atom(false, b"_NET_WM_NAME")?.reply()?.atom;
        for screen in &conn.setup().roots {
            for window in conn.query_tree(screen.root)?.reply()?.children {
                for property in [AtomEnum::WM_NAME.into(), net_wm_name] {
                    let title = conn
                        .get_property(false, window, property, AtomEnum::ANY, 0, 4096)?
                        .reply()?
                        .value;
                    if title.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                        return Ok(Some(window));
                    }
                }
            }
        }
        Ok(None)
    }

    /// Polls `probe` until it yields a value or `DEADLINE` passes; `what` says
    /// in the failure what was awaited.
    pub async fn until<T, F, Fut>(&self, what: &str, mut probe: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Option<T>>>,
    {
        let until = Instant::now() + DEADLINE;
        let mut last_err = None;
        loop {
            match probe().await {
                Ok(Some(v)) => return Ok(v),
                Ok(None) => {}
                Err(e) => last_err = Some(e),
            }
            if Instant::now() > until {
                let why = last_err
                    .map(|e| format!(" (last error: {e:#})"))
                    .unwrap_or_default();
                bail!("timed out after {DEADLINE:?} waiting for {what}{why}");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// All elements with this `data-testid`, now.
    pub async fn all(&self, testid: &str) -> Result<Vec<Element>> {
        Ok(self.client.find_all(Locator::Css(&css(testid))).await?)
    }

    /// The first displayed element with this `data-testid`, waiting for it.
    pub async fn el(&self, testid: &str) -> Result<Element> {
        self.until(&format!("[data-testid={testid}] to be shown"), || async {
            for e in self.all(testid).await? {
                if e.is_displayed().await.unwrap_or(false) {
                    return Ok(Some(e));
                }
            }
            Ok(None)
        })
        .await
    }

    /// The first element with `testid` inside the first displayed `scope`.
    pub async fn el_in(&self, scope: &str, testid: &str) -> Result<Element> {
        self.until(
            &format!("[data-testid={testid}] inside [data-testid={scope}]"),
            || async {
                let outer = self.el(scope).await?;
                for e in outer.find_all(Locator::Css(&css(testid))).await? {
                    if e.is_displayed().await.unwrap_or(false) {
                        return Ok(Some(e));
                    }
                }
                Ok(None)
            },
        )
        .await
    }

    /// Whether an element with this `data-testid` is displayed right now.
    pub async fn shown(&self, testid: &str) -> Result<bool> {
        for e in self.all(testid).await? {
            if e.is_displayed().await.unwrap_or(false) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    pub async fn click(&self, testid: &str) -> Result<()> {
        let e = self.el(testid).await?;
        self.until(&format!("[data-testid={testid}] to be enabled"), || async {
            Ok(e.is_enabled().await?.then_some(()))
        })
        .await?;
        self.scroll_to(&e).await?;
        e.click()
            .await
            .with_context(|| format!("clicking {testid}"))?;
        Ok(())
    }

    /// Clicks `item` in the menu `menu` (e.g. `selection-more`), opening
    /// the menu first as a person does (its items are hidden while closed).
    pub async fn click_in_menu(&self, menu: &str, item: &str) -> Result<()> {
        self.click(menu).await?;
        self.until(&format!("[data-testid={item}] shown in {menu}"), || async {
            Ok(self.el(item).await?.is_displayed().await?.then_some(()))
        })
        .await?;
        self.click(item).await
    }

    /// Scrolls `e` just into view where it is not (as a person scrolls to
    /// what they click or type into): WebKitWebDriver does not scroll
    /// nested panes itself.
    async fn scroll_to(&self, e: &Element) -> Result<()> {
        self.client
            .execute(
                "arguments[0].scrollIntoView({block: 'nearest', inline: 'nearest'});",
                vec![serde_json::to_value(e)?],
            )
            .await?;
        Ok(())
    }

    /// Scrolls the element into the middle of its scroll areas, as a person
    /// would before typing into a form below the fold of a pane.
    pub async fn reveal(&self, testid: &str) -> Result<()> {
        let e = self.el(testid).await?;
        self.client
            .execute(
                "arguments[0].scrollIntoView({block: 'center'});",
                vec![serde_json::to_value(&e)?],
            )
            .await?;
        Ok(())
    }

    /// Replaces the text of an input or textarea, as typing would (brought
    /// into view first).
    pub async fn type_into(&self, testid: &str, text: &str) -> Result<()> {
        let e = self.el(testid).await?;
        self.scroll_to(&e).await?;
        e.clear()
            .await
            .with_context(|| format!("clearing {testid}"))?;
        e.send_keys(text)
            .await
            .with_context(|| format!("typing into {testid}"))?;
        Ok(())
    }

    /// Picks the option with this value in a `<select>`.
    pub async fn select(&self, testid: &str, value: &str) -> Result<()> {
        let e = self.el(testid).await?;
        e.select_by_value(value).await?;
        Ok(())
    }

    /// Clicks the first element matching `css` inside the element `testid`
    /// (e.g. the sort button inside a column header).
    pub async fn click_in(&self, testid: &str, css_inner: &str) -> Result<()> {
        let outer = self.el(testid).await?;
        let inner = outer.find(Locator::Css(css_inner)).await?;
        inner
            .click()
            .await
            .with_context(|| format!("clicking {css_inner} in {testid}"))?;
        Ok(())
    }

    /// Presses Enter in the element (applies the search at once, adds an id).
    pub async fn press_enter(&self, testid: &str) -> Result<()> {
        self.el(testid).await?.send_keys("\u{E007}").await?;
        Ok(())
    }

    /// An attribute of the first displayed `testid`, now.
    pub async fn attr(&self, testid: &str, name: &str) -> Result<Option<String>> {
        Ok(self.el(testid).await?.attr(name).await?)
    }

    /// Waits until an attribute of `testid` satisfies `ok`; returns it.
    pub async fn wait_attr(
        &self,
        testid: &str,
        name: &str,
        ok: impl Fn(&str) -> bool,
    ) -> Result<String> {
        self.until(
            &format!("[data-testid={testid}] {name} to match"),
            || async {
                for e in self.all(testid).await? {
                    if let Some(v) = e.attr(name).await? {
                        if ok(&v) {
                            return Ok(Some(v));
                        }
                    }
                }
                Ok(None)
            },
        )
        .await
    }

    /// The number in `data-count` of `testid` once it satisfies `ok`.
    pub async fn wait_count(&self, testid: &str, ok: impl Fn(u64) -> bool) -> Result<u64> {
        let v = self
            .wait_attr(testid, "data-count", |v| v.parse().is_ok_and(&ok))
            .await?;
        Ok(v.parse()?)
    }

    /// The `cds_eac_id`s of the table rows now in the DOM, in row order.
    /// The table may re-render between finding the rows and reading them
    /// (a refresh after a change elsewhere): a row gone stale is read again.
    pub async fn row_ids(&self) -> Result<Vec<String>> {
        let mut last_error = None;
        for _ in 0..20 {
            match self.row_ids_once().await {
                Ok(ids) => return Ok(ids),
                Err(e) => {
                    last_error = Some(e);
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
            }
        }
        Err(last_error.expect("tried at least once"))
    }

    async fn row_ids_once(&self) -> Result<Vec<String>> {
        let mut rows = Vec::new();
        for e in self.all("eac-row").await? {
            let index: u64 = e.attr("data-index").await?.unwrap_or_default().parse()?;
            rows.push((index, e.attr("data-id").await?.unwrap_or_default()));
        }
        rows.sort();
        Ok(rows.into_iter().map(|(_, id)| id).collect())
    }

    pub async fn text(&self, testid: &str) -> Result<String> {
        Ok(self.el(testid).await?.text().await?)
    }

    /// Waits until the text of `testid` satisfies `ok`; returns that text.
    pub async fn wait_text(
        &self,
        testid: &str,
        what: &str,
        ok: impl Fn(&str) -> bool,
    ) -> Result<String> {
        self.until(&format!("[data-testid={testid}] {what}"), || async {
            for e in self.all(testid).await? {
                if e.is_displayed().await.unwrap_or(false) {
                    let t = e.text().await?;
                    if ok(&t) {
                        return Ok(Some(t));
                    }
                }
            }
            Ok(None)
        })
        .await
    }

    /// The first whole number shown in `testid` (e.g. the footer's row count).
    pub async fn number(&self, testid: &str) -> Result<u64> {
        first_number(&self.text(testid).await?)
            .with_context(|| format!("no number in [data-testid={testid}]"))
    }

    /// Waits until the number shown in `testid` satisfies `ok`.
    pub async fn wait_number(
        &self,
        testid: &str,
        what: &str,
        ok: impl Fn(u64) -> bool,
    ) -> Result<u64> {
        let t = self
            .wait_text(testid, what, |t| first_number(t).is_some_and(&ok))
            .await?;
        Ok(first_number(&t).expect("checked by wait_text"))
    }

    /// Texts of every displayed element with this `data-testid`, in page order.
    pub async fn texts(&self, testid: &str) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for e in self.all(testid).await? {
            if e.is_displayed().await.unwrap_or(false) {
                out.push(e.text().await?);
            }
        }
        Ok(out)
    }

    /// The size of the web content (`innerWidth` × `innerHeight`, CSS pixels).
    pub async fn viewport(&self) -> Result<(u64, u64)> {
        let v = self
            .client
            .execute("return [window.innerWidth, window.innerHeight];", vec![])
            .await?;
        Ok((
            v[0].as_u64().context("innerWidth")?,
            v[1].as_u64().context("innerHeight")?,
        ))
    }

    /// Resizes the window so its web content is `width` × `height` CSS
    /// pixels, as a person dragging the window's corner would. WebDriver
    /// sets the outer size, so each round adds what is still missing to the
    /// outer size it reads back: the first window of a run may still be
    /// settling when the first size is read (a correction made from that
    /// reading alone once overshot and never came back).
    pub async fn set_viewport(&self, width: u64, height: u64) -> Result<()> {
        let to_u32 = |n: u64| u32::try_from(n).context("window size");
        self.client
            .set_window_size(to_u32(width)?, to_u32(height)?)
            .await?;
        self.until(
            &format!("the web content to be {width}×{height}"),
            || async {
                let (w, h) = self.viewport().await?;
                if (w, h) == (width, height) {
                    return Ok(Some(()));
                }
                let (outer_w, outer_h) = self.client.get_window_size().await?;
                let fix = |outer: u64, want: u64, have: u64| (outer + want).saturating_sub(have);
                self.client
                    .set_window_size(
                        to_u32(fix(outer_w, width, w))?,
                        to_u32(fix(outer_h, height, h))?,
                    )
                    .await?;
                Ok(None)
            },
        )
        .await
    }

    /// The box of the first displayed `testid` in viewport pixels (rounded).
    pub async fn rect(&self, testid: &str) -> Result<Rect> {
        let e = self.el(testid).await?;
        rect_of(&self.client, &e).await
    }

    /// A WebDriver screenshot of the window's web content, saved as PNG.
    pub async fn screenshot(&self, path: &Path) -> Result<()> {
        // WebKitWebDriver's snapshot waits for the page's next paint, and
        // drawn without compositing (the app's mode without a GPU, decision
        // 228) an idle page makes none: so the page is made to paint just
        // after the request, by an outline nobody can see.
        self.client
            .execute(
                "const s = document.documentElement.style; \
                 setTimeout(() => { s.outline = '1px solid transparent'; \
                   setTimeout(() => { s.outline = ''; }, 150); }, 100); return 1;",
                vec![],
            )
            .await?;
        let png = self.client.screenshot().await?;
        std::fs::write(path, png)?;
        Ok(())
    }
}

/// A box on screen, whole CSS pixels relative to the viewport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    pub left: i64,
    pub top: i64,
    pub right: i64,
    pub bottom: i64,
}

impl Rect {
    /// Wholly inside a `width` × `height` viewport.
    pub fn within(&self, (width, height): (u64, u64)) -> bool {
        let (w, h) = (
            i64::try_from(width).unwrap_or(i64::MAX),
            i64::try_from(height).unwrap_or(i64::MAX),
        );
        self.left >= 0
            && self.top >= 0
            && self.right <= w
            && self.bottom <= h
            && self.right > self.left
    }
}

/// The bounding box of `e`, rounded to whole pixels.
pub async fn rect_of(client: &Client, e: &Element) -> Result<Rect> {
    let v = client
        .execute(
            "const r = arguments[0].getBoundingClientRect(); \
             return [Math.round(r.left), Math.round(r.top), Math.round(r.right), Math.round(r.bottom)];",
            vec![serde_json::to_value(e)?],
        )
        .await?;
    let n = |i: usize| v[i].as_i64().context("a box coordinate");
    Ok(Rect {
        left: n(0)?,
        top: n(1)?,
        right: n(2)?,
        bottom: n(3)?,
    })
}

fn css(testid: &str) -> String {
    format!("[data-testid=\"{testid}\"]")
}

/// The first run of digits (thousands separators `,` or thin spaces allowed).
pub fn first_number(text: &str) -> Option<u64> {
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let digits: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, ',' | '\u{202f}' | '\u{a0}'))
        .filter(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::first_number;

    #[test]
    fn first_number_reads_counts_with_separators() {
        assert_eq!(first_number("1,234 EACs"), Some(1234));
        assert_eq!(first_number("Showing 12 of 40"), Some(12));
        assert_eq!(first_number("none"), None);
    }
}

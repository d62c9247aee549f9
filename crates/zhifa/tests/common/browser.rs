//! Headless Chromium for browser tests: a small W3C WebDriver client over `ureq` (already
//! in the workspace) driving Debian's `chromedriver` and `chromium`.
//!
//! Why not `fantoccini` or `thirtyfour`: both bring a second HTTP client stack (hyper
//! client, hyper-rustls or reqwest) and the `webdriver` crate with its own dependency tree
//! into every test build, for the dozen JSON-over-HTTP commands these tests use. The
//! protocol is small and stable (https://www.w3.org/TR/webdriver2/), so speaking it
//! directly keeps the tree lean and the failures readable.
//!
//! The tests run only when `ZHIFA_TEST_CHROMEDRIVER` names the chromedriver binary;
//! `ZHIFA_TEST_CHROMIUM` may name the browser (default `/usr/bin/chromium`). When the
//! variable is set and the driver or the browser cannot start, the tests fail.

#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

/// The chromedriver to use, if browser tests are enabled.
pub fn chromedriver() -> Option<String> {
    match std::env::var("ZHIFA_TEST_CHROMEDRIVER") {
        Ok(p) if !p.is_empty() => Some(p),
        _ => {
            eprintln!("browser tests not run: set ZHIFA_TEST_CHROMEDRIVER=/usr/bin/chromedriver to run them");
            None
        }
    }
}

/// The window the page is seen in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewport {
    /// A 375×812 phone (mobile emulation: the viewport meta tag is honoured).
    Phone,
    /// A 1280×900 desktop window.
    Desktop,
}

impl Viewport {
    pub fn width(self) -> i64 {
        match self {
            Viewport::Phone => 375,
            Viewport::Desktop => 1280,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Viewport::Phone => "phone",
            Viewport::Desktop => "desktop",
        }
    }
}

/// A chromedriver process with one browser session; both end when dropped.
pub struct Browser {
    driver: Child,
    url: String,
    session: String,
    agent: ureq::Agent,
}

/// A found element.
#[derive(Debug, Clone)]
pub struct Element(String);

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Browser {
    /// Starts chromedriver and a headless Chromium session. Panics (the test fails) if
    /// either cannot start.
    pub fn start(chromedriver: &str, viewport: Viewport) -> Browser {
        let port = {
            let l = TcpListener::bind("127.0.0.1:0").expect("a free port");
            l.local_addr().unwrap().port()
        };
        let driver = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("ZHIFA_TEST_CHROMEDRIVER={chromedriver} cannot start: {e}"));
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .into();
        let mut b = Browser { driver, url: format!("http://127.0.0.1:{port}"), session: String::new(), agent };
        b.wait_ready();
        let chromium = std::env::var("ZHIFA_TEST_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        assert!(Path::new(&chromium).exists(), "chromium not found at {chromium} (set ZHIFA_TEST_CHROMIUM)");
        let mut args =
            vec!["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--hide-scrollbars"];
        let mut options = json!({"binary": chromium});
        match viewport {
            Viewport::Phone => {
                options["mobileEmulation"] = json!({"deviceMetrics": {"width": 375, "height": 812, "pixelRatio": 2.0, "mobile": true, "touch": true}});
            }
            Viewport::Desktop => args.push("--window-size=1280,900"),
        }
        options["args"] = json!(args);
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": options,
            // Leave any dialog open so a test can see it (an executed XSS payload).
            "unhandledPromptBehavior": "ignore",
        }}});
        let v = b.call("POST", "/session", Some(caps));
        b.session = v["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {v}")).to_string();
        b
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(Some(status)) = self.driver.try_wait() {
                panic!("chromedriver exited at start: {status}");
            }
            if let Ok(mut r) = self.agent.get(format!("{}/status", self.url)).call()
                && let Ok(v) = r.body_mut().read_json::<Value>()
                && v["value"]["ready"] == true
            {
                return;
            }
            assert!(Instant::now() < deadline, "chromedriver did not become ready within 30 s");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// One WebDriver command; its `value`, or the error as `Err`.
    fn try_call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, Value> {
        let url = format!("{}{path}", self.url);
        let r = match method {
            "GET" => self.agent.get(url).call(),
            "DELETE" => self.agent.delete(url).call(),
            _ => self.agent.post(url).send_json(body.unwrap_or_else(|| json!({}))),
        };
        let mut r = r.unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"));
        let v: Value = r.body_mut().read_json().unwrap_or(Value::Null);
        let value = v["value"].clone();
        if value.get("error").is_some() { Err(value) } else { Ok(value) }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.try_call(method, path, body)
            .unwrap_or_else(|e| panic!("WebDriver {method} {path}: {} — {}", e["error"], e["message"]))
    }

    fn s(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }

    pub fn goto(&self, url: &str) {
        self.call("POST", &self.s("/url"), Some(json!({"url": url})));
    }

    pub fn current_url(&self) -> String {
        self.call("GET", &self.s("/url"), None).as_str().unwrap_or_default().to_string()
    }

    /// Waits (up to 10 s) until the current URL ends with `suffix`, e.g. after a click that
    /// submits a form; returns the URL.
    pub fn wait_for_url(&self, suffix: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let url = self.current_url();
            let loaded = self.execute("return document.readyState") == "complete";
            if url.ends_with(suffix) && loaded {
                return url;
            }
            assert!(Instant::now() < deadline, "still at {url}, expected …{suffix}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn title(&self) -> String {
        self.call("GET", &self.s("/title"), None).as_str().unwrap_or_default().to_string()
    }

    fn element_of(v: &Value) -> Element {
        Element(v[ELEMENT_KEY].as_str().unwrap_or_else(|| panic!("not an element: {v}")).to_string())
    }

    /// The first element matching a CSS selector; panics if there is none.
    pub fn find(&self, css: &str) -> Element {
        let v = self
            .try_call("POST", &self.s("/element"), Some(json!({"using": "css selector", "value": css})))
            .unwrap_or_else(|e| panic!("no element {css} on {}: {}", self.current_url(), e["message"]));
        Self::element_of(&v)
    }

    pub fn find_all(&self, css: &str) -> Vec<Element> {
        let v = self.call("POST", &self.s("/elements"), Some(json!({"using": "css selector", "value": css})));
        v.as_array().map(|a| a.iter().map(Self::element_of).collect()).unwrap_or_default()
    }

    /// The first element matching an XPath expression.
    pub fn find_xpath(&self, xpath: &str) -> Element {
        let v = self
            .try_call("POST", &self.s("/element"), Some(json!({"using": "xpath", "value": xpath})))
            .unwrap_or_else(|e| panic!("no element {xpath} on {}: {}", self.current_url(), e["message"]));
        Self::element_of(&v)
    }

    pub fn click(&self, e: &Element) {
        self.call("POST", &self.s(&format!("/element/{}/click", e.0)), None);
    }

    pub fn text(&self, e: &Element) -> String {
        self.call("GET", &self.s(&format!("/element/{}/text", e.0)), None).as_str().unwrap_or_default().to_string()
    }

    pub fn attribute(&self, e: &Element, name: &str) -> Option<String> {
        self.call("GET", &self.s(&format!("/element/{}/attribute/{name}", e.0)), None).as_str().map(str::to_string)
    }

    pub fn type_into(&self, e: &Element, text: &str) {
        self.call("POST", &self.s(&format!("/element/{}/value", e.0)), Some(json!({"text": text})));
    }

    /// Runs a script (`return …;`) in the page and returns its value.
    pub fn execute(&self, script: &str) -> Value {
        self.call("POST", &self.s("/execute/sync"), Some(json!({"script": script, "args": []})))
    }

    /// The text of an open alert/confirm/prompt dialog, if any.
    pub fn dialog(&self) -> Option<String> {
        match self.try_call("GET", &self.s("/alert/text"), None) {
            Ok(v) => Some(v.as_str().unwrap_or_default().to_string()),
            Err(e) if e["error"] == "no such alert" => None,
            Err(e) => panic!("alert/text: {e}"),
        }
    }

    /// Saves a PNG of the viewport.
    pub fn screenshot(&self, path: &Path) {
        let v = self.call("GET", &self.s("/screenshot"), None);
        let png = base64::engine::general_purpose::STANDARD.decode(v.as_str().expect("base64 PNG")).expect("base64");
        std::fs::write(path, png).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self.try_call("DELETE", &format!("/session/{}", self.session), None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Where screenshots go: `ZHIFA_TEST_SCREENSHOTS`, or `<tmp>/zhifa-screenshots`.
pub fn screenshot_dir() -> PathBuf {
    let dir = std::env::var_os("ZHIFA_TEST_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("zhifa-screenshots"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

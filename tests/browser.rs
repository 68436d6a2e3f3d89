//! The live page in a real browser: headless Chromium (the system's `chromium`, never a
//! downloaded one), driven over the DevTools protocol with chromiumoxide, loads the page, moves a
//! slider with the keyboard, waits for the charts to update and checks the headline probability
//! changed. `.ci/run` installs Chromium with apt-get when it is missing.
//!
//! With `PACTSIM_SCREENSHOTS=DIR` it also saves the page before and after the edit as
//! DIR/page-before.png and DIR/page-after.png.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use chromiumoxide::browser::{Browser, BrowserConfig};
use chromiumoxide::cdp::browser_protocol::page::NavigateParams;
use chromiumoxide::page::{Page, ScreenshotParams};
use futures_util::StreamExt;
use pactsim::serve::{self, Config, Limits};

/// The system Chromium: $CHROMIUM, else `chromium` or `chromium-browser` on the PATH.
fn chromium() -> PathBuf {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return PathBuf::from(p);
    }
    for dir in std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()) {
        for name in ["chromium", "chromium-browser"] {
            let p = dir.join(name);
            if p.is_file() {
                return p;
            }
        }
    }
    panic!("no chromium on the PATH: install it (apt-get install -y chromium), as .ci/run does");
}

/// Evaluates `js` until it returns true, every 100 ms, at most `secs` seconds.
async fn wait_for(page: &Page, js: &str, secs: u64, what: &str) {
    for _ in 0..secs * 10 {
        let ok: bool = page.evaluate(js).await.ok().and_then(|r| r.into_value().ok()).unwrap_or(false);
        if ok {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out after {secs} s waiting for {what}");
}

async fn text(page: &Page, js: &str) -> String {
    page.evaluate(js).await.expect("evaluate").into_value().expect("a string")
}

async fn screenshot(page: &Page, name: &str) {
    let Some(dir) = std::env::var_os("PACTSIM_SCREENSHOTS") else {
        return;
    };
    let png = page
        .screenshot(ScreenshotParams::builder().full_page(true).build())
        .await
        .expect("screenshot");
    std::fs::write(PathBuf::from(dir).join(name), png).expect("write screenshot");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moving_a_slider_updates_the_charts_and_the_headline() {
    // Bounded: a hung browser fails the test instead of hanging CI.
    tokio::time::timeout(Duration::from_secs(120), drive_the_page())
        .await
        .expect("the browser test finishes within 2 minutes");
}

async fn drive_the_page() {
    let tmp = tempfile::tempdir().unwrap();
    let server = serve::start(
        &Config {
            dir: common::root().join("scenarios"),
            output: tmp.path().join("output"),
            limits: Limits::default(),
            hosts: Vec::new(),
        },
        "127.0.0.1:0",
    )
    .expect("server starts");
    let profile = tmp.path().join("profile");
    let config = BrowserConfig::builder()
        .chrome_executable(chromium())
        .no_sandbox()
        .arg("--disable-gpu")
        .arg("--disable-dev-shm-usage")
        .user_data_dir(&profile)
        .window_size(1300, 1500)
        .launch_timeout(Duration::from_secs(60))
        .request_timeout(Duration::from_secs(60))
        .build()
        .expect("browser config");
    let (mut browser, mut handler) = Browser::launch(config).await.expect("chromium starts");
    // Keep polling the DevTools connection even past an event chromiumoxide cannot decode: its
    // commands (and their timeouts) only make progress while the handler is polled.
    let events = tokio::spawn(async move { while handler.next().await.is_some() {} });

    eprintln!("browser: started");
    // Open a blank tab (retried: chromiumoxide's new_page occasionally never hears back from a
    // fresh browser), then navigate without waiting for lifecycle events; the waits below poll
    // the page itself.
    let mut opened = None;
    for attempt in 1..=4 {
        match tokio::time::timeout(Duration::from_secs(10), browser.new_page("about:blank")).await {
            Ok(Ok(p)) => {
                opened = Some(p);
                break;
            }
            Ok(Err(e)) => eprintln!("browser: opening a tab, attempt {attempt}: {e}"),
            Err(_) => eprintln!("browser: opening a tab, attempt {attempt}: no answer in 10 s"),
        }
    }
    let page = opened.expect("a tab opens");
    page.execute(NavigateParams::new(format!("http://{}/#finland_sweden", server.addr)))
        .await
        .expect("navigate to the page");
    eprintln!("browser: page opened");
    // The first run is drawn: the headline has a probability and the charts are images.
    wait_for(
        &page,
        "document.body.dataset.generation !== undefined && document.querySelectorAll('#charts img').length > 0",
        90,
        "the first results",
    )
    .await;
    eprintln!("browser: first results");
    let before = text(&page, "document.getElementById('headline').dataset.p").await;
    let headline = text(&page, "document.getElementById('headline').textContent").await;
    assert!(headline.starts_with("P(SWE in NATO at the end)"), "{headline}");
    let generation = text(&page, "document.body.dataset.generation").await;
    let chart_before = text(&page, "document.querySelector('#charts img').src").await;
    screenshot(&page, "page-before.png").await;

    eprintln!("browser: asking a joint outcome");
    // Two chosen cells: FIN and SWE in NATO at the end, in the same replicates.
    let pick = "document.getElementById('joint-a-pact').value = 'NATO'; document.getElementById('joint-a-state').value = 'FIN'; \
                document.getElementById('joint-b-pact').value = 'NATO'; document.getElementById('joint-b-state').value = 'SWE'; true";
    let _: bool = page.evaluate(pick).await.expect("choose the cells").into_value().expect("true");
    page.find_element("#joint-ask")
        .await
        .expect("the Ask button")
        .click()
        .await
        .expect("click");
    wait_for(
        &page,
        "document.querySelector('#joint table.joint') !== null",
        90,
        "the joint answer",
    )
    .await;
    let joint = text(&page, "document.getElementById('joint').textContent").await;
    assert!(
        joint.contains("NATO.FIN and NATO.SWE") && joint.contains("If independent"),
        "{joint}"
    );
    screenshot(&page, "page-joint.png").await;

    eprintln!("browser: moving the slider");
    // Move the temperature slider to its right end with the keyboard.
    let slider = page
        .find_element("[data-path='model.temperature'] input[type=range]")
        .await
        .expect("the temperature slider");
    slider.focus().await.expect("focus");
    let t0 = std::time::Instant::now();
    slider.press_key("End").await.expect("End key");
    let shown = text(
        &page,
        "document.querySelector(\"[data-path='model.temperature'] input[type=number]\").value",
    )
    .await;
    assert_ne!(shown, "0.12", "the number box follows the slider");
    wait_for(
        &page,
        &format!("document.body.dataset.generation !== '{generation}' && !document.getElementById('results').classList.contains('stale')"),
        90,
        "the results after the edit",
    )
    .await;
    // Not a timed test: the time is printed for the record (it includes the page's 0.3 s wait
    // after the last edit).
    eprintln!(
        "edit to redrawn charts: {:.2} s (page: {})",
        t0.elapsed().as_secs_f64(),
        text(&page, "document.getElementById('status').textContent").await
    );
    let after = text(&page, "document.getElementById('headline').dataset.p").await;
    assert_ne!(before, after, "the headline probability changes when the temperature does");
    let chart_after = text(&page, "document.querySelector('#charts img').src").await;
    assert_ne!(chart_before, chart_after, "the charts are redrawn");
    let marked = text(&page, "document.querySelector(\"[data-path='model.temperature']\").className").await;
    assert!(marked.contains("changed"), "the edited value is marked: {marked}");
    screenshot(&page, "page-after.png").await;

    eprintln!("browser: clicking a cell");
    // Clicking a cell of the table shows the explain chart of that state and pact.
    page.find_element("#table button[data-state='SWE'][data-pact='NATO']")
        .await
        .expect("the SWE–NATO cell")
        .click()
        .await
        .expect("click");
    wait_for(&page, "document.querySelector('#explain img') !== null", 90, "the explain chart").await;
    let title = text(&page, "document.querySelector('#explain h2').textContent").await;
    assert!(title.starts_with("Why SWE joins NATO"), "{title}");
    screenshot(&page, "page-explain.png").await;

    eprintln!("browser: closing");
    let _ = tokio::time::timeout(Duration::from_secs(20), browser.close()).await;
    let _ = tokio::time::timeout(Duration::from_secs(20), browser.wait()).await;
    let _ = browser.kill().await;
    events.abort();
}

"""What the browser tests share: Debian's chromium, headless, driven by
python3-selenium through chromium-driver, started and stopped by pid."""

import os

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def descendants(pid):
    """Every process below pid (from /proc), deepest last."""
    parent = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open("/proc/%s/stat" % name) as f:
                    parent[int(name)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        kids = [c for c, pp in parent.items() if pp == p]
        out.extend(kids)
        todo.extend(kids)
    return out


def selenium():
    """The selenium modules, or a failure naming what is missing."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            raise AssertionError("%s is missing: install Debian's chromium and chromium-driver "
                                 "(deploy/packages.sh LNOB_TEST_PACKAGES)" % path)
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import Select, WebDriverWait
    except ImportError as e:
        raise AssertionError("python3-selenium is missing (%s): install Debian's "
                             "python3-selenium" % e) from e
    return webdriver, Service, By, Select, WebDriverWait


def start(net, width, height, wait, download_dir=None):
    """Headless chromium at width x height with its profile and driver log in
    net's directory; with download_dir, files the page downloads land there
    without asking. Returns (driver, driver_pid, By, Select, WebDriverWait)."""
    webdriver, Service, By, Select, Wait = selenium()
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    if download_dir:
        opts.add_experimental_option("prefs", {
            "download.default_directory": download_dir, "download.prompt_for_download": False,
            "download.directory_upgrade": True, "safebrowsing.enabled": False})
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=%d,%d" % (width, height), "--no-first-run",
              "--disable-extensions", "--user-data-dir=" + net.path("chromium-profile")):
        opts.add_argument(a)
    log = net.path("chromedriver.log")
    service = Service(CHROMEDRIVER, log_output=log) \
        if "log_output" in Service.__init__.__code__.co_varnames \
        else Service(CHROMEDRIVER, log_path=log)
    driver = webdriver.Chrome(service=service, options=opts)
    driver.set_page_load_timeout(wait)
    driver.set_script_timeout(wait)
    if download_dir:
        driver.execute_cdp_cmd("Page.setDownloadBehavior",
                               {"behavior": "allow", "downloadPath": download_dir})
    return driver, service.process.pid, By, Select, Wait


def stop(driver, pid):
    """Quits the browser; then kills by pid the driver and any browser
    process of it still alive."""
    kids = descendants(pid) if pid else []
    if driver is not None:
        try:
            driver.quit()
        except Exception:           # the driver may be gone already
            pass
    for p in [pid] + kids if pid else []:
        try:
            os.kill(p, 9)
        except ProcessLookupError:
            pass


def shots_dir(net):
    """Where screenshots go: LNOB_SCREENSHOT_DIR (ctest sets it), else net's
    directory; created."""
    path = os.environ.get("LNOB_SCREENSHOT_DIR") or net.path("screenshots")
    os.makedirs(path, exist_ok=True)
    return path


class BrowserMixin:
    """What a browser TestCase shares (put before lnobtest.NetTestCase):
    one headless chromium, started by start_browser() and stopped by pid in
    tearDown, and page scripts."""

    driver = None
    driver_pid = None

    def start_browser(self, width, height, wait, download_dir=None):
        self.driver, self.driver_pid, self.By, self.Select, self.Wait = \
            start(self.net, width, height, wait, download_dir=download_dir)

    def stop_browser(self):
        d, pid = self.driver, self.driver_pid
        self.driver = self.driver_pid = None
        stop(d, pid)

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def tearDown(self):
        self.stop_browser()
        super().tearDown()

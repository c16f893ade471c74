# Shared set-up for scripts/serve.sh and scripts/test.sh: a virtual environment in .venv
# with the project installed, reinstalled only when pyproject.toml changes.
# Usage: ensure_venv ""           (runtime only)
#        ensure_venv "[dev]"      (with test and lint tools)
#        ensure_venv "[dev,load]" (also the load test's tools; satisfies "", "[dev]", "[load]")

PYTHON="${PYTHON:-python3}"

ensure_venv() {
    local extras="$1"
    local prefix=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
    local stamp="${prefix}${extras}"
    if [ ! -x .venv/bin/python ]; then
        echo "==> Creating the virtual environment in .venv"
        "$PYTHON" -m venv .venv
    fi
    if [ ! -f "$stamp" ]; then
        echo "==> Installing examsite${extras} into .venv"
        .venv/bin/python -m pip install --quiet --upgrade pip
        .venv/bin/python -m pip install --quiet -e ".${extras}"
        rm -f .venv/.installed-*
        touch "$stamp"
        # Several extras installed also stand for each alone and for none, so switching
        # between the scripts' extras does not reinstall every time.
        local extra
        for extra in $(echo "$extras" | tr -d '[]' | tr ',' ' '); do
            touch "${prefix}[${extra}]"
        done
        touch "$prefix"
    fi
    echo "==> Compiling message catalogues"
    .venv/bin/pybabel compile --statistics -d examsite/translations >/dev/null
}

# Debian packages the site needs at run time: Pango and HarfBuzz's subsetter for WeasyPrint
# (the PDF records; WeasyPrint warns without the subsetter) and
# the CJK fonts the records and the pages are set in. Installed only where missing.
ensure_print_packages() {
    if ! ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 \
        || ! ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset \
        || [ ! -d /usr/share/fonts/opentype/noto ]; then
        echo "==> Installing Pango and the CJK fonts (PDF records)"
        local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
            libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk >/dev/null
    fi
}

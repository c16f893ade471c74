/* The page's texts. They all come from the server (data-i18n, built from
 * examsite/exams/page_text.py EXAM_PAGE_TEXT); this file holds none of its own.
 * A key the server did not send shows as the key itself, so a gap is visible, not hidden.
 * Modules look texts up with literal keys, t("saved"): tests/js/texts.test.mjs checks every
 * such key against EXAM_PAGE_TEXT. */

/** The texts object from the data-i18n JSON; only string values are kept. */
export function parseTexts(json, log) {
  const texts = {};
  if (!json) { return texts; }
  try {
    const parsed = JSON.parse(json);
    Object.keys(parsed || {}).forEach((key) => {
      if (typeof parsed[key] === "string") { texts[key] = parsed[key]; }
    });
  } catch (e) {
    if (log) { log("warn", "ignoring bad data-i18n", e); }
  }
  return texts;
}

/** translate(key, vars): the text for key with {name} placeholders filled from vars. */
export function createT(texts) {
  return function translate(key, vars) {
    let text = Object.prototype.hasOwnProperty.call(texts, key) ? texts[key] : key;
    if (vars) {
      Object.keys(vars).forEach((name) => {
        text = text.split("{" + name + "}").join(String(vars[name]));
      });
    }
    return text;
  };
}

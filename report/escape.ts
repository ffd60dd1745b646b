/**
 * The report's two ways of putting text into HTML. Every string the report writes goes through
 * one of them: what an adapter reports (message bodies, error texts, names) is untrusted.
 */

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and for quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char] as string);
}

/**
 * JSON to embed in `<script type="application/json">`: `<` is written `\u003c`, so neither
 * `</script>` nor `<!--` can end the element early; `>`, `&` and the two JavaScript line
 * separators are escaped too, so the text is safe wherever it ends up. Still valid JSON.
 */
export function jsonForScript(data: unknown): string {
  return JSON.stringify(data)
    .replaceAll('<', '\\u003c')
    .replaceAll('>', '\\u003e')
    .replaceAll('&', '\\u0026')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}

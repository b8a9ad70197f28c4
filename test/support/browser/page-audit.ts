import type { LowContrast, PageAudit } from '../page-audit-types';

/** What a keyboard user can act on: the elements the Tab key must reach. */
const CONTROLS =
  'a[href], button:not(:disabled), input:not(:disabled), select, textarea, summary, ' +
  '[tabindex]:not([tabindex="-1"])';
const REACHED = 'data-reached';

interface Rgb {
  readonly r: number;
  readonly g: number;
  readonly b: number;
}

const WHITE: Rgb = { r: 255, g: 255, b: 255 };

/** A computed colour (`rgb(…)` or `rgba(…)`) drawn over `below`. */
function over(color: string, below: Rgb): Rgb {
  const [r = 0, g = 0, b = 0, a = 1] = (color.match(/[\d.]+/g) ?? []).map(Number);
  return {
    r: r * a + below.r * (1 - a),
    g: g * a + below.g * (1 - a),
    b: b * a + below.b * (1 - a),
  };
}

/** The colour behind an element: its and its ancestors' backgrounds over the white canvas. */
function backgroundOf(element: Element | null): Rgb {
  const layers: string[] = [];
  for (let at = element; at; at = at.parentElement)
    layers.push(getComputedStyle(at).backgroundColor);
  return layers.reduceRight((below, layer) => over(layer, below), WHITE);
}

/** WCAG 2 relative luminance. */
function luminance({ r, g, b }: Rgb): number {
  const linear = (value: number) => {
    const c = value / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

/** WCAG 2 contrast ratio, 1 to 21. */
export function contrastRatio(one: Rgb, other: Rgb): number {
  const [light, dark] = [luminance(one), luminance(other)].sort((x, y) => y - x) as [
    number,
    number,
  ];
  return (light + 0.05) / (dark + 0.05);
}

const css = ({ r, g, b }: Rgb) => `rgb(${Math.round(r)}, ${Math.round(g)}, ${Math.round(b)})`;

/** The text of an element's own text nodes, its children's aside. */
const ownText = (element: Element) =>
  [...element.childNodes]
    .filter((node) => node.nodeType === Node.TEXT_NODE)
    .map((node) => node.textContent ?? '')
    .join('')
    .trim();

function textsBelowContrast(minimum: number): LowContrast[] {
  const found: LowContrast[] = [];
  const check = (text: string, color: string, background: Rgb) => {
    const foreground = over(color, background);
    const ratio = contrastRatio(foreground, background);
    if (ratio < minimum) {
      found.push({
        text: text.slice(0, 60),
        color: css(foreground),
        background: css(background),
        ratio,
      });
    }
  };
  for (const element of document.body.querySelectorAll('*')) {
    if (!element.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
    const style = getComputedStyle(element);
    const text = ownText(element);
    if (text) check(text, style.color, backgroundOf(element));
    const placeholder = element.getAttribute('placeholder');
    if (placeholder && !(element as HTMLInputElement).value) {
      check(placeholder, getComputedStyle(element, '::placeholder').color, backgroundOf(element));
    }
    if (element === document.activeElement && style.outlineStyle !== 'none') {
      // The outline is drawn around the control, on its parent's background.
      check(
        `focus outline of ${element.tagName}`,
        style.outlineColor,
        backgroundOf(element.parentElement),
      );
    }
  }
  return found;
}

const audit: PageAudit = {
  markFocused: () => document.activeElement?.setAttribute(REACHED, ''),
  forgetReached: () => {
    for (const element of document.querySelectorAll(`[${REACHED}]`))
      element.removeAttribute(REACHED);
  },
  unreached: () =>
    [...document.querySelectorAll(CONTROLS)]
      .filter((control) => control.checkVisibility() && !control.hasAttribute(REACHED))
      .map((control) => control.outerHTML.slice(0, 120)),
  hasFocus: (element) => element === document.activeElement,
  setDisabled: (selector, disabled) => {
    for (const button of document.querySelectorAll<HTMLButtonElement>(selector)) {
      button.disabled = disabled;
    }
  },
  controlCount: () => document.querySelectorAll(CONTROLS).length,
  textsBelowContrast,
};

(globalThis as unknown as { pageAudit: PageAudit }).pageAudit = audit;

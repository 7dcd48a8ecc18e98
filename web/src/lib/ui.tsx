import type { ComponentChildren } from 'preact';
import { BASE, navigate } from './router';

/** An in-app link: a real <a href> (open in a new tab works), navigated without a reload. */
export function Link(props: { to: string; children: ComponentChildren; class?: string; 'aria-current'?: 'page' | undefined }) {
  const href = BASE + props.to;
  const onClick = (e: MouseEvent) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(props.to);
  };
  return (
    <a href={href} onClick={onClick} class={props.class} aria-current={props['aria-current']}>
      {props.children}
    </a>
  );
}

/** The API's message of a failed call, announced to screen readers. */
export function ErrorBox({ error }: { error: Error | undefined }) {
  if (!error) return null;
  return (
    <div class="error" role="alert">
      {error.message}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

/** A level name on its colour, with a text colour chosen for contrast. */
export function LevelBadge({ name, color }: { name: string | null | undefined; color?: string | null }) {
  if (!name) return <span class="muted">—</span>;
  const bg = color && /^#[0-9a-f]{6}$/i.test(color) ? color : '#e5e7eb';
  return (
    <span class="badge" style={{ background: bg, color: contrastText(bg) }}>
      {name}
    </span>
  );
}

/** Black or white, whichever contrasts more with the background (WCAG relative luminance). */
export function contrastText(hex: string): string {
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  const l = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  return (l + 0.05) / 0.05 > 1.05 / (l + 0.05) ? '#111827' : '#ffffff';
}

const HEALTH_LABEL: Record<string, string> = { green: 'Healthy', amber: 'Some failures', red: 'Failing', gray: 'No deliveries' };
/** A health status as a coloured dot plus words (colour is never the only signal). */
export function Health({ status }: { status: string | undefined }) {
  const s = status ?? 'gray';
  return (
    <span class={`health health-${s}`}>
      <span class="dot" aria-hidden="true" />
      {HEALTH_LABEL[s] ?? s}
    </span>
  );
}

export function Pager(props: { page: number; limit: number; total: number; exact: boolean; shown: number; onPage: (p: number) => void }) {
  const last = Math.max(1, Math.ceil(props.total / props.limit));
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" disabled={props.page <= 1} onClick={() => props.onPage(props.page - 1)}>
        ← Previous
      </button>
      <span>
        Page {props.page} of {props.exact ? '' : '~'}
        {last.toLocaleString()} · {props.exact ? '' : 'about '}
        {props.total.toLocaleString()} in all
      </span>
      <button type="button" disabled={props.shown < props.limit} onClick={() => props.onPage(props.page + 1)}>
        Next →
      </button>
    </nav>
  );
}

export const fmtDate = (v: unknown): string => {
  if (!v || typeof v !== 'string') return '—';
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? v : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
};

export const fmtNum = (n: unknown, digits = 0): string => (typeof n === 'number' ? n.toLocaleString(undefined, { maximumFractionDigits: digits }) : '—');

/** snake_case API values as words (`not_equals` → "not equals"). */
export const words = (v: string): string => v.replace(/_/g, ' ');

/** A labelled select of API enum values, shown as words (rule conditions and operators). */
export function ChoiceField<T extends string>(props: { id: string; label: string; value: T; choices: readonly T[]; onChange: (v: T) => void }) {
  return (
    <div>
      <label for={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value as T)}>
        {props.choices.map((c) => (
          <option key={c} value={c}>
            {words(c)}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The Enable/Disable button of a row that can be switched off (profile rulesets, metadata filters), named for screen readers. */
export function EnableToggle(props: { name: string; enabled: boolean; onToggle: () => void }) {
  const verb = props.enabled ? 'Disable' : 'Enable';
  return (
    <button type="button" class="secondary" aria-label={`${verb} ${props.name}`} onClick={props.onToggle}>
      {verb}
    </button>
  );
}

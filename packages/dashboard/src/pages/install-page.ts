import type { NodeHostInspection } from '@plinth/host-node';
import { html } from 'hono/html';
import { csrfField, type Html } from './layout.js';

/** Step one: choose a module (and optionally its signature and expected sha256) to check. */
export function installPage(csrf: string): Html {
  return html`<p>
      The module is checked and its manifest read, with no host functions, before anything is installed: you
      see what it asks for and decide.
    </p>
    <form method="post" action="/install" enctype="multipart/form-data" class="stacked">
      ${csrfField(csrf)}
      <label for="install-module">Plugin module (.wasm)</label>
      <input id="install-module" name="module" type="file" accept=".wasm,application/wasm" required />
      <label for="install-signature">Signature file (.sig), optional</label>
      <input id="install-signature" name="signature" type="file" accept=".sig" />
      <label for="install-sha256">Expected sha256, optional</label>
      <input
        id="install-sha256"
        name="sha256"
        inputmode="latin"
        autocomplete="off"
        spellcheck="false"
        pattern="[0-9a-fA-F]{64}"
        aria-describedby="install-sha256-hint"
      />
      <p id="install-sha256-hint" class="muted">64 hex digits; a module with another sha256 is refused.</p>
      <button type="submit">Check module</button>
    </form>`;
}

const OUTCOME_WORDS: Record<NodeHostInspection['outcome'], string> = {
  installed: 'It is not installed yet.',
  replaced: 'Another build of it is installed: installing replaces it (and hot-reloads it).',
  unchanged: 'These exact bytes are installed already.',
};

function signatureWords(inspection: NodeHostInspection): string {
  const { signature } = inspection;
  return signature.state === 'signed'
    ? `Signed by ${signature.keyName} (key ${signature.keyId}).`
    : 'Unsigned: who built it is unknown.';
}

/** Step two: what the module is and asks for, and the choice to install with or without granting it. */
export function reviewPage(options: {
  uploadId: string;
  inspection: NodeHostInspection;
  csrf: string;
}): Html {
  const { inspection } = options;
  const { manifest, notGranted } = inspection;
  const { commands } = manifest;
  return html`<section aria-labelledby="review-heading">
      <h2 id="review-heading">
        ${manifest.name} <span class="muted">${inspection.id} ${inspection.version}</span>
      </h2>
      ${manifest.description ? html`<p>${manifest.description}</p>` : ''}
      <dl class="facts">
        <dt>sha256</dt>
        <dd><code class="hash">${inspection.sha256}</code></dd>
        <dt>Signature</dt>
        <dd>${signatureWords(inspection)}</dd>
        <dt>Installed</dt>
        <dd>${OUTCOME_WORDS[inspection.outcome]}</dd>
        <dt>Commands</dt>
        <dd>
          ${commands.length === 0 ? 'none' : commands.map((command, index) => html`${index > 0 ? ', ' : ''}<code>${command}</code>`)}
        </dd>
      </dl>
    </section>
    <section aria-labelledby="asks-heading">
      <h2 id="asks-heading">What it asks for</h2>
      ${
        notGranted === undefined
          ? html`<p>Nothing the policy does not already set.</p>`
          : html`<table id="asks">
              <thead>
                <tr>
                  <th scope="col">Permission</th>
                  <th scope="col">What it allows</th>
                  <th scope="col">Its reason</th>
                </tr>
              </thead>
              <tbody>
                ${notGranted.asks.map(
                  (ask) =>
                    html`<tr>
                      <td><code>${ask.permission}</code></td>
                      <td>${ask.description}</td>
                      <td>${ask.reason ?? html`<span class="muted">none given</span>`}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
      }
    </section>
    <form method="post" action="/install/accept" class="choices">
      ${csrfField(options.csrf)}
      <input type="hidden" name="upload" value="${options.uploadId}" />
      ${
        notGranted === undefined
          ? html`<button type="submit" name="grant" value="none">Install</button>`
          : html`<button type="submit" name="grant" value="requested">
                Install and grant what it asks for
              </button>
              <button type="submit" name="grant" value="none">Install without granting anything</button>`
      }
      <a href="/install">Cancel</a>
    </form>`;
}

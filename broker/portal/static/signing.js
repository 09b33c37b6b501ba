// Signing in the browser: the broker never holds a party's private key (docs/portal.md, "Signing keys").
//
// A person's key pair is made here with the Web Crypto API: Ed25519 (JWS EdDSA, RFC 8037) where the
// browser has it, else ES256 (ECDSA P-256); the broker verifies both. The private key is
// NON-EXTRACTABLE (no script, this one included, can read its bytes) and is kept in this browser's
// IndexedDB, one per organisation. Only the public JWK leaves the browser, to be registered.
//
// Signing: the broker renders the JWS signing input, BASE64URL(header) "." BASE64URL(payload), over
// its own RFC 8785 canonical JSON of the envelope, the header's alg the registered key's; this script
// signs exactly those bytes with the algorithm its key was made for, so no canonicalisation happens
// here. Both signatures are already the 64 bytes JWS wants (Ed25519's own; ECDSA's R || S, RFC 7518
// section 3.4). The page works without this script: a JWS made elsewhere is pasted.
//
// The page says what to do through data- attributes (no inline script: the CSP forbids it):
//   [data-browser-key]    the key page: shows this browser's key, makes one, fills the JWK field
//   [data-key-choice]     a form choosing the signing key: selects this browser's key
//   [data-signing]        the signing page: signs data-signing-input and sends the form
"use strict";

(() => {
  const DATABASE = "broker-signing-keys";
  const STORE = "keys";

  // IndexedDB, promised: one record per organisation, {kid, jwk, privateKey (a CryptoKey)}.
  function store(mode, action) {
    return new Promise((resolve, reject) => {
      const opening = indexedDB.open(DATABASE, 1);
      opening.onupgradeneeded = () => opening.result.createObjectStore(STORE);
      opening.onerror = () => reject(opening.error);
      opening.onsuccess = () => {
        const request = action(opening.result.transaction(STORE, mode).objectStore(STORE));
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      };
    });
  }
  const loadKey = (organisation) => store("readonly", (keys) => keys.get(organisation));
  const saveKey = (organisation, record) => store("readwrite", (keys) => keys.put(record, organisation));

  function base64url(bytes) {
    let text = "";
    for (const byte of new Uint8Array(bytes)) text += String.fromCharCode(byte);
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  // RFC 7638 thumbprint: SHA-256 of the required members in lexicographic order, no whitespace
  // (RFC 8037 section 2 for an OKP key: crv, kty, x).
  async function thumbprint(jwk) {
    const members =
      jwk.kty === "OKP"
        ? `{"crv":"${jwk.crv}","kty":"${jwk.kty}","x":"${jwk.x}"}`
        : `{"crv":"${jwk.crv}","kty":"${jwk.kty}","x":"${jwk.x}","y":"${jwk.y}"}`;
    return base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(members)));
  }

  // Ed25519 if this browser makes it, else ECDSA P-256: feature detection by trying, since a browser
  // without it refuses the algorithm name (NotSupportedError) rather than announcing it.
  async function generatePair() {
    try {
      return await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
    } catch (refused) {
      return crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
    }
  }

  async function createKey(organisation) {
    const pair = await generatePair();
    const exported = await crypto.subtle.exportKey("jwk", pair.publicKey); // public keys always export
    const jwk =
      exported.kty === "OKP"
        ? { kty: "OKP", crv: "Ed25519", x: exported.x }
        : { kty: "EC", crv: "P-256", x: exported.x, y: exported.y };
    const record = { kid: await thumbprint(jwk), jwk, privateKey: pair.privateKey };
    await saveKey(organisation, record);
    return record;
  }

  async function sign(privateKey, signingInput) {
    const data = new TextEncoder().encode(signingInput);
    const algorithm =
      privateKey.algorithm.name === "Ed25519" ? { name: "Ed25519" } : { name: "ECDSA", hash: "SHA-256" };
    const signature = await crypto.subtle.sign(algorithm, privateKey, data);
    return `${signingInput}.${base64url(signature)}`;
  }

  // The key page: what this browser holds, a button to make a key, the public JWK for registering it
  // (not when it is the key being replaced, data-replaces: that one is registered already).
  async function keyPage(section) {
    const organisation = section.dataset.organisation;
    const status = section.querySelector("[data-key-status]");
    const shown = section.querySelector("[data-public-jwk]");
    const field = document.getElementById(section.dataset.jwkField || "");
    const show = (record) => {
      status.textContent = section.dataset.textHeld.replace("{kid}", record.kid);
      shown.querySelector("pre").textContent = JSON.stringify(record.jwk);
      shown.hidden = false;
      const fills = field && !field.value.trim() && record.kid !== section.dataset.replaces;
      if (fills) field.value = JSON.stringify(record.jwk);
    };
    section.hidden = false;
    const held = await loadKey(organisation);
    if (held) show(held);
    section.querySelector("[data-key-create]").addEventListener("click", async () => {
      if ((await loadKey(organisation)) && !window.confirm(section.dataset.textReplace)) return;
      if (field) field.value = "";
      show(await createKey(organisation));
    });
  }

  // A form choosing the signing key: pick the one this browser holds, if it is among the choices.
  async function keyChoice(form) {
    const held = await loadKey(form.dataset.organisation);
    const radio = held && form.querySelector(`input[type="radio"][value="${held.kid}"]`);
    if (radio && !form.querySelector('input[type="radio"]:checked')) radio.checked = true;
  }

  // The signing page: sign the broker's signing input with this browser's key, put the JWS in the
  // form's field and send the form; or say why it cannot (no key here, or another key was chosen).
  function signingPage(section) {
    const status = section.querySelector("[data-signing-status]");
    const form = section.closest("form");
    section.hidden = false;
    const button = section.querySelector("[data-signing-button]");
    button.addEventListener("click", async () => {
      const held = await loadKey(section.dataset.organisation);
      if (!held) {
        status.textContent = section.dataset.textNoKey;
      } else if (held.kid !== section.dataset.kid) {
        status.textContent = section.dataset.textOtherKey.replace("{kid}", held.kid);
      } else {
        status.textContent = section.dataset.textSigning;
        button.disabled = true; // one message, sent once (a second would be refused as a replay)
        form.elements.jws.value = await sign(held.privateKey, section.dataset.signingInput);
        form.submit();
      }
    });
  }

  document.querySelectorAll("[data-browser-key]").forEach(keyPage);
  document.querySelectorAll("[data-key-choice]").forEach(keyChoice);
  document.querySelectorAll("[data-signing]").forEach(signingPage);
})();

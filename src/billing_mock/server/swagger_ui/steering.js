// Starts Swagger UI with the mock's steering bar: the bar's choices become the Prefer,
// X-Mock-Scenario and X-Mock-Sandbox headers of each request the page sends to this
// origin. The contract itself never lists them (they are the mock's, not the vendor's).
'use strict';

(function () {
  const choices = JSON.parse(document.getElementById('mock-steering-choices').textContent);
  const form = document.getElementById('mock-steering');
  const code = document.getElementById('mock-prefer-code');
  const example = document.getElementById('mock-prefer-example');
  const scenario = document.getElementById('mock-scenario');
  const sandbox = document.getElementById('mock-sandbox');
  const sent = document.getElementById('mock-steering-sent');
  // The same rule as the server's, whole-string: the field is marked before a 400 comes.
  const sandboxName = new RegExp('^(?:' + choices.sandboxPattern + ')$');

  function option(value, label, title) {
    const element = document.createElement('option');
    element.value = value;
    element.textContent = label; // text, never markup: names come from the contract
    if (title) element.title = title;
    return element;
  }

  for (const status of choices.codes) code.append(option(status, status));
  for (const operation of choices.operations) {
    const group = document.createElement('optgroup');
    group.label = operation.operationId;
    for (const item of operation.examples) {
      const element = option(item.name, `${item.name} (${item.status})`);
      element.dataset.status = item.status;
      group.append(element);
    }
    example.append(group);
  }
  for (const item of choices.scenarios) {
    scenario.append(option(item.name, item.name, item.description));
  }

  // A named example belongs to one status: picking it shows that status as the code, and
  // picking another code lets the example go, so the bar never asks for both at odds.
  example.addEventListener('change', () => {
    const picked = example.selectedOptions[0];
    if (picked && picked.dataset.status) code.value = picked.dataset.status;
    show();
  });
  code.addEventListener('change', () => {
    const picked = example.selectedOptions[0];
    if (picked && picked.dataset.status && picked.dataset.status !== code.value) example.value = '';
    show();
  });
  scenario.addEventListener('change', show);
  sandbox.addEventListener('input', show);
  form.addEventListener('reset', () => setTimeout(show));
  form.addEventListener('submit', (event) => event.preventDefault());

  /** The steering headers the bar's choices ask for (none for an empty choice). */
  function headers() {
    const found = {};
    const prefer = [];
    if (code.value) prefer.push(`code=${code.value}`);
    if (example.value) prefer.push(`example=${example.value}`);
    if (prefer.length) found.Prefer = prefer.join(', ');
    if (scenario.value) found['X-Mock-Scenario'] = scenario.value;
    const name = sandbox.value.trim();
    if (name) found['X-Mock-Sandbox'] = name;
    return found;
  }

  function show() {
    const name = sandbox.value.trim();
    sandbox.setCustomValidity(name && !sandboxName.test(name)
      ? 'Lower-case letters, digits and hyphens (1 to 63), starting with a letter or digit'
      : '');
    const chosen = Object.entries(headers()).map(([key, value]) => `${key}: ${value}`);
    sent.textContent = chosen.length
      ? `Sent with each request: ${chosen.join(' · ')}`
      : 'Requests are sent as written.';
  }

  /** Swagger UI's hook: add the headers to "Try it out" requests for this origin only. */
  function steer(request) {
    // The spec's own download is no API call; a server on another origin is not the mock.
    if (request.loadSpec) return request;
    if (new URL(request.url, window.location.href).origin !== window.location.origin) return request;
    request.headers = Object.assign({}, request.headers, headers());
    return request;
  }

  const root = document.getElementById('swagger-ui');
  window.ui = SwaggerUIBundle({
    url: root.dataset.specUrl,
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: 'StandaloneLayout',
    requestInterceptor: steer,
  });
  show();
  form.hidden = false;
})();

/*
 * billing-mock's Razorpay Checkout stand-in, served at /razorpay/v1/checkout.js.
 *
 * The surface a page uses with the real script (Razorpay Checkout docs, web integration):
 *   const rzp = new Razorpay(options);   // options: the `razorpay` block POST /checkout returns,
 *                                        // plus handler(response) and modal.ondismiss
 *   rzp.on('payment.failed', (response) => response.error.code ...);
 *   rzp.open();  rzp.close();
 * open() shows a modal with the order's amount and three buttons:
 *   Pay     asks the mock for the payment Razorpay would report (POST
 *           /razorpay/v1/standin/payments: nothing is stored) and calls
 *           handler({razorpay_payment_id, razorpay_order_id, razorpay_signature});
 *           the page's own POST /checkout/confirm records it.
 *   Fail    fires 'payment.failed' with Razorpay's error object; the modal stays open
 *           for a retry, as the real one does. Nothing is sent to the mock.
 *   Cancel  (or Escape, unless options.modal.escape is false) closes it and calls
 *           options.modal.ondismiss(). close() from the page does not call it.
 * The mock's origin is this script's own; `?sandbox=<name>` on the script's URL sends
 * X-Mock-Sandbox with the Pay call, for orders made in that sandbox.
 * No dependency; everything shown is set as text (never markup); keyboard: focus stays
 * in the modal, Tab cycles the buttons.
 */
(function () {
  'use strict';

  var script = document.currentScript;
  var source = new URL(script && script.src ? script.src : window.location.href);
  var PAYMENTS = new URL('/razorpay/v1/standin/payments', source).href;
  var SANDBOX = source.searchParams.get('sandbox');
  var ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

  /** The error object of a declined payment, as Razorpay's test-mode "Failure" gives it. */
  function declined(orderId, paymentId) {
    return {
      error: {
        code: 'BAD_REQUEST_ERROR',
        description: 'Payment processing failed due to error at bank or wallet gateway',
        source: 'gateway',
        step: 'payment_authorization',
        reason: 'payment_failed',
        metadata: {order_id: orderId, payment_id: paymentId},
      },
    };
  }

  /** `prefix_` and 14 base-62 characters from `text` (FNV-1a per position): the same
   * clicks give the same ids, as the mock's own ids are derived, never random. */
  function derivedId(prefix, text) {
    var out = '';
    for (var position = 0; position < 14; position += 1) {
      var hash = 0x811c9dc5;
      var input = text + '#' + position;
      for (var i = 0; i < input.length; i += 1) {
        hash ^= input.charCodeAt(i);
        hash = Math.imul(hash, 0x01000193) >>> 0;
      }
      out += ALPHABET[hash % ALPHABET.length];
    }
    return prefix + '_' + out;
  }

  /** `amount` (smallest unit, as Checkout takes it) in `currency`, for people. */
  function money(amount, currency) {
    try {
      var format = new Intl.NumberFormat('en', {style: 'currency', currency: currency});
      var digits = format.resolvedOptions().maximumFractionDigits;
      return format.format(Number(amount) / Math.pow(10, digits));
    } catch (error) {
      return String(amount) + ' ' + String(currency); // an unknown currency code
    }
  }

  function element(tag, text, style) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = String(text);
    Object.assign(node.style, style || {}); // CSSOM, not a style attribute: CSP-safe
    return node;
  }

  function Razorpay(options) {
    if (!(this instanceof Razorpay)) throw new TypeError("Razorpay: use `new Razorpay(options)`");
    if (!options || typeof options !== 'object') throw new TypeError('Razorpay: options must be an object');
    if (!options.key) throw new TypeError('Razorpay: options.key is required');
    if (!options.order_id) throw new TypeError('Razorpay: options.order_id is required');
    this._options = options;
    this._listeners = {};
    this._dialog = null;
    this._failures = 0;
  }

  /** Register `callback` for `event` ('payment.failed'); returns this, as Checkout does. */
  Razorpay.prototype.on = function (event, callback) {
    if (typeof callback === 'function') {
      (this._listeners[event] = this._listeners[event] || []).push(callback);
    }
    return this;
  };

  Razorpay.prototype._emit = function (event, payload) {
    (this._listeners[event] || []).forEach(function (callback) { callback(payload); });
  };

  /** Show the modal (once: a second open() while it is shown does nothing). */
  Razorpay.prototype.open = function () {
    if (this._dialog) return this;
    var self = this;
    var o = this._options;
    var currency = o.currency || 'INR';
    var dialog = element('dialog', undefined, {
      font: '15px/1.4 system-ui, sans-serif', color: '#1b1b1f', border: '0',
      borderRadius: '10px', padding: '20px 22px', width: 'min(22rem, 90vw)',
      boxShadow: '0 10px 40px rgba(0, 0, 0, 0.35)',
    });
    dialog.setAttribute('aria-labelledby', 'rzp-standin-title');
    dialog.setAttribute('data-razorpay-standin', '');
    var title = element('h2', o.name || 'Razorpay Checkout', {margin: '0 0 4px', fontSize: '18px'});
    title.id = 'rzp-standin-title';
    dialog.append(
      element('p', 'Razorpay Checkout stand-in (billing-mock)', {margin: '0 0 8px', fontSize: '12px', color: '#666'}),
      title,
    );
    if (o.description) dialog.append(element('p', o.description, {margin: '0 0 8px'}));
    var amount = element('p', money(o.amount, currency), {margin: '8px 0', fontSize: '24px', fontWeight: '600'});
    amount.setAttribute('data-amount', '');
    dialog.append(amount);
    var prefill = o.prefill || {};
    var payer = [prefill.name, prefill.email, prefill.contact].filter(Boolean).join(' · ');
    if (payer) dialog.append(element('p', 'Paying as ' + payer, {margin: '0 0 8px', fontSize: '13px'}));
    this._status = element('p', '', {margin: '8px 0', minHeight: '1.4em', fontSize: '13px', color: '#a4000f'});
    this._status.setAttribute('role', 'alert');
    dialog.append(this._status);

    var row = element('div', undefined, {display: 'flex', gap: '8px', flexWrap: 'wrap'});
    var button = {padding: '8px 14px', borderRadius: '6px', border: '1px solid #888', font: 'inherit', cursor: 'pointer'};
    var pay = element('button', 'Pay ' + money(o.amount, currency), Object.assign({}, button, {
      background: '#0b57d0', color: '#fff', borderColor: '#0b57d0',
    }));
    if (o.theme && o.theme.color) pay.style.background = o.theme.color; // ignored if not a colour
    var fail = element('button', 'Fail (declined payment)', button);
    var cancel = element('button', 'Cancel', button);
    [pay, fail, cancel].forEach(function (node) { node.type = 'button'; row.append(node); });
    dialog.append(row);
    this._buttons = [pay, fail, cancel];

    pay.addEventListener('click', function () { self._pay(); });
    fail.addEventListener('click', function () { self._fail(); });
    cancel.addEventListener('click', function () { self._dismiss(); });
    dialog.addEventListener('keydown', function (event) { self._key(event); });
    // Chromium's own Escape handling for a modal <dialog>: the same as Cancel.
    dialog.addEventListener('cancel', function (event) {
      event.preventDefault();
      if (!o.modal || o.modal.escape !== false) self._dismiss();
    });

    this._opener = document.activeElement;
    this._dialog = dialog;
    document.body.append(dialog);
    dialog.showModal(); // the rest of the page is inert while it is open
    pay.focus();
    return this;
  };

  /** Hide the modal without calling ondismiss (the page asked for it). */
  Razorpay.prototype.close = function () {
    if (!this._dialog) return this;
    var dialog = this._dialog;
    this._dialog = null;
    dialog.close();
    dialog.remove();
    if (this._opener && typeof this._opener.focus === 'function') this._opener.focus();
    return this;
  };

  Razorpay.prototype._key = function (event) {
    var o = this._options;
    if (event.key === 'Escape') {
      event.preventDefault();
      if (!o.modal || o.modal.escape !== false) this._dismiss();
      return;
    }
    if (event.key !== 'Tab') return;
    // Focus stays on the modal's buttons: Tab past the last comes back to the first.
    var enabled = this._buttons.filter(function (node) { return !node.disabled; });
    if (!enabled.length) return;
    var at = enabled.indexOf(document.activeElement);
    var next = event.shiftKey ? (at <= 0 ? enabled.length - 1 : at - 1) : (at + 1) % enabled.length;
    event.preventDefault();
    enabled[next].focus();
  };

  Razorpay.prototype._busy = function (busy, text) {
    this._buttons.forEach(function (node) { node.disabled = busy; });
    this._status.textContent = text || '';
  };

  Razorpay.prototype._pay = function () {
    var self = this;
    var o = this._options;
    var headers = {'Content-Type': 'application/json'};
    if (SANDBOX) headers['X-Mock-Sandbox'] = SANDBOX;
    this._busy(true, 'Processing…');
    fetch(PAYMENTS, {
      method: 'POST',
      headers: headers,
      credentials: 'omit', // the call needs no cookie, and sends none of the mock's
      body: JSON.stringify({key_id: String(o.key), order_id: String(o.order_id)}),
    })
      .then(function (response) {
        return response.json().then(function (body) { return {ok: response.ok, body: body}; });
      })
      .then(function (answer) {
        if (!answer.ok) {
          var error = answer.body && answer.body.error;
          throw new Error(error && error.description ? error.description : 'the mock refused the payment');
        }
        self.close();
        if (typeof o.handler === 'function') o.handler(answer.body);
      })
      .catch(function (error) {
        if (!self._dialog) throw error; // the page's handler threw: let the page see it
        self._busy(false, 'Payment not made: ' + error.message);
        self._buttons[0].focus();
      });
  };

  Razorpay.prototype._fail = function () {
    var orderId = String(this._options.order_id);
    this._failures += 1;
    var paymentId = derivedId('pay', orderId + '|failed|' + this._failures);
    var response = declined(orderId, paymentId);
    this._status.textContent = 'Payment failed: ' + response.error.description + '. Pay to retry, or Cancel.';
    this._emit('payment.failed', response);
  };

  Razorpay.prototype._dismiss = function () {
    if (!this._dialog) return;
    var modal = this._options.modal || {};
    this.close();
    if (typeof modal.ondismiss === 'function') modal.ondismiss();
  };

  window.Razorpay = Razorpay;
})();

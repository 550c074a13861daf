// A stand-in for Zendesk's ZAF SDK, used only by the local preview. It is loaded in place of
// https://static.zdassets.com/…/zaf_sdk.min.js and talks to the preview page (the "host",
// preview-host.js) over postMessage, as the real SDK talks to Zendesk's agent UI.
(function () {
  'use strict';
  var TAG = 'zaf-standin';
  var nextId = 1;
  var pending = {};
  var handlers = {};

  function send(method, args) {
    var id = nextId++;
    return new Promise(function (resolve, reject) {
      pending[id] = { resolve: resolve, reject: reject };
      window.parent.postMessage({ tag: TAG, id: id, method: method, args: args }, window.location.origin);
    });
  }

  function fire(name, data) {
    (handlers[name] || []).slice().forEach(function (handler) {
      handler(data);
    });
  }

  window.addEventListener('message', function (event) {
    var message = event.data;
    if (event.source !== window.parent || !message || message.tag !== TAG) return;
    if (message.event) {
      fire(message.event, message.data);
      return;
    }
    var waiting = pending[message.id];
    if (!waiting) return;
    delete pending[message.id];
    if (message.ok) waiting.resolve(message.result);
    else waiting.reject(message.error);
  });

  function Client() {
    var client = this;
    Promise.all([send('metadata'), send('context')]).then(function (answers) {
      fire('app.registered', { metadata: answers[0], context: answers[1] });
    });
    client.get = function (paths) { return send('get', [paths]); };
    client.set = function (path, value) { return send('set', [path, value]); };
    client.metadata = function () { return send('metadata'); };
    client.context = function () { return send('context'); };
    client.invoke = function (name) {
      return send('invoke', [name].concat(Array.prototype.slice.call(arguments, 1)));
    };
    client.request = function (options) { return send('request', [options]); };
    client.on = function (name, handler) {
      (handlers[name] = handlers[name] || []).push(handler);
    };
    client.off = function (name, handler) {
      handlers[name] = (handlers[name] || []).filter(function (h) { return h !== handler; });
    };
    client.has = function (name, handler) {
      return (handlers[name] || []).indexOf(handler) !== -1;
    };
    client.trigger = function (name, data) {
      fire(name, data);
    };
  }

  var instance = null;
  window.ZAFClient = {
    init: function (callback) {
      if (!instance) instance = new Client();
      if (callback) instance.on('app.registered', callback);
      return instance;
    },
  };
})();

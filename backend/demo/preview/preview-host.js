// The preview page's side of the ZAF stand-in: answers the app iframe's get/metadata/
// context/invoke/request calls from the selected demo ticket, and sends secure requests to
// /preview/proxy, which signs them the way Zendesk's proxy does. The iframe's
// data-zaf-location says which location it plays: ticket_sidebar or nav_bar. The ticket list is
// labelled with each organization's colour as the backend answers it (/preview/labels), and a
// card's own answer relabels its organization, so the list never contradicts the card.
(function () {
  'use strict';
  var TAG = 'zaf-standin';
  var config = JSON.parse(document.getElementById('preview-config').textContent);
  var frame = document.querySelector('iframe[data-zaf-location]');
  var zafLocation = frame.getAttribute('data-zaf-location');
  var list = document.getElementById('ticket-list');
  var ticketView = document.getElementById('ticket');
  var tickets = [];
  var selected = null;
  var labels = {}; // organization id → { status, colour, score }
  var LABEL_POLL_MS = 3000;
  var LABEL_POLLS = 40;

  var agent = { id: config.agent.id, name: config.agent.name, email: config.agent.email,
    locale: config.locale, role: config.agent.role };

  function escapeHtml(text) {
    return String(text == null ? '' : text).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  function organization() {
    return selected && selected.organization ? selected.organization : null;
  }

  function requester() {
    var org = organization();
    return { id: selected.requesterId, name: selected.requesterName, email: selected.requesterEmail,
      organizations: org ? [org] : [] };
  }

  var paths = {
    currentUser: function () { return agent; },
    'ticket.id': function () { return selected.id; },
    'ticket.subject': function () { return selected.subject; },
    'ticket.organization': function () { return organization(); },
    'ticket.requester': requester,
    'ticket.requester.id': function () { return selected.requesterId; },
    organization: function () { return organization(); },
    user: requester,
    'user.organizations': function () { return requester().organizations; },
  };

  function get(requested) {
    var answer = {};
    var names = Array.isArray(requested) ? requested : [requested];
    names.forEach(function (name) {
      if (paths[name]) answer[name] = paths[name]();
      else answer.errors = Object.assign(answer.errors || {}, { [name]: { message: 'unknown path ' + name } });
    });
    return answer;
  }

  function request(options) {
    var url = '/preview/proxy' + (config.tamper ? '?tamper=1' : '');
    return fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(options) })
      .then(function (response) {
        return response.text().then(function (text) {
          var json = null;
          try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
          if (response.status === 200 && json && json.organization && json.colour) {
            labels[json.organization.id] = { status: 'ready', colour: json.colour, score: json.score };
            renderLabels();
          }
          if (response.ok) return options.dataType === 'json' || json !== null ? json : text;
          throw { status: response.status, statusText: response.statusText, responseText: text,
            responseJSON: json };
        });
      }, function () {
        throw { status: 0, statusText: 'error', responseText: '' };
      });
  }

  var methods = {
    metadata: function () {
      return { appId: 0, installationId: config.installationId, name: 'Customer Health',
        version: 'preview', settings: config.settings };
    },
    context: function () {
      return { product: 'support', location: zafLocation, instanceGuid: 'preview',
        account: { subdomain: config.subdomain }, ticketId: selected ? selected.id : null };
    },
    get: function (args) { return get(args[0]); },
    set: function () { return {}; },
    invoke: function (args) {
      if (args[0] === 'resize' && args[1] && args[1].height) frame.style.height = args[1].height;
      // Zendesk would open the organization's page; the preview opens a ticket of it.
      if (args[0] === 'routeTo' && args[1] === 'organization') {
        window.location.href = '/preview?locale=' + encodeURIComponent(config.locale) +
          '&organization=' + encodeURIComponent(args[2]);
      } else if (args[0] === 'routeTo' && args[1] === 'ticket') {
        showOpenedTicket(args[2]);
      } else if (args[0] === 'routeTo') {
        throw { message: 'the preview cannot route to ' + args[1] };
      }
      return {};
    },
    request: function (args) { return request(args[0]); },
  };

  window.addEventListener('message', function (event) {
    var message = event.data;
    if (event.source !== frame.contentWindow || !message || message.tag !== TAG) return;
    var reply = function (ok, value) {
      var answer = { tag: TAG, id: message.id, ok: ok };
      answer[ok ? 'result' : 'error'] = value;
      frame.contentWindow.postMessage(answer, window.location.origin);
    };
    Promise.resolve()
      .then(function () {
        if (!methods[message.method]) throw { message: 'unsupported: ' + message.method };
        return methods[message.method](message.args || []);
      })
      .then(function (result) { reply(true, result); }, function (error) { reply(false, error); });
  });

  function trigger(name, data) {
    frame.contentWindow.postMessage({ tag: TAG, event: name, data: data }, window.location.origin);
  }

  function showOpenedTicket(id) {
    var note = document.getElementById('opened-ticket');
    note.textContent = config.text.openedTicket.replace('{id}', String(id));
    note.hidden = false;
  }

  function labelText(organization) {
    var label = organization ? labels[organization.id] : null;
    if (!label) return '';
    if (label.status === 'computing') return config.text.computing;
    if (label.status !== 'ready') return '';
    var word = config.text['colour_' + label.colour] || '';
    return label.score === null || label.score === undefined ? word : word + ' ' + Math.round(label.score);
  }

  function renderLabels() {
    if (!list) return; // the portfolio page (nav_bar) has no ticket list to label
    Array.prototype.forEach.call(list.querySelectorAll('button'), function (button) {
      var ticket = tickets[Number(button.dataset.index)];
      var note = button.querySelector('.list__note');
      var label = ticket.organization ? labels[ticket.organization.id] : null;
      note.textContent = labelText(ticket.organization);
      note.className = 'list__note' + (label && label.colour ? ' list__note--' + label.colour : '');
    });
  }

  function fetchLabels(pollsLeft) {
    var ids = tickets.filter(function (t) { return t.organization; })
      .map(function (t) { return t.organization.id; });
    if (!ids.length) return;
    fetch('/preview/labels?ids=' + ids.join(','))
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        Object.keys(answer.labels || {}).forEach(function (id) {
          // A card's own answer is at least as new as a label asked for before it.
          if (!(labels[id] && labels[id].status === 'ready' && answer.labels[id].status !== 'ready')) {
            labels[id] = answer.labels[id];
          }
        });
        renderLabels();
        var computing = ids.some(function (id) { return labels[id] && labels[id].status === 'computing'; });
        if (computing && pollsLeft > 0) {
          setTimeout(function () { fetchLabels(pollsLeft - 1); }, LABEL_POLL_MS);
        }
      })
      .catch(function () { /* the list keeps its names; labels are a convenience */ });
  }

  /** The language and role links keep the selected organization (and a tampered signature). */
  function updateViewLinks() {
    var org = organization();
    Array.prototype.forEach.call(document.querySelectorAll('.view-link'), function (link) {
      var query = new URLSearchParams({ locale: link.dataset.locale, role: link.dataset.role });
      if (org) query.set('organization', org.id);
      if (config.tamper) query.set('tamper', '1');
      link.setAttribute('href', '?' + query.toString());
    });
  }

  function renderTicket() {
    var org = organization();
    ticketView.innerHTML =
      '<h1 class="ticket__subject">' + escapeHtml(selected.subject) + '</h1>' +
      '<p class="ticket__meta">#' + escapeHtml(selected.id) + ' · ' + escapeHtml(selected.requesterName) +
      ' &lt;' + escapeHtml(selected.requesterEmail) + '&gt; · ' +
      escapeHtml(org ? org.name : config.text.noOrganization) + '</p>' +
      '<div class="ticket__comment"><p>' + escapeHtml(selected.body) + '</p></div>';
    Array.prototype.forEach.call(list.querySelectorAll('button'), function (button) {
      button.setAttribute('aria-current', button.dataset.index === String(tickets.indexOf(selected)));
    });
    document.getElementById('opened-ticket').hidden = true;
    updateViewLinks();
  }

  function select(index) {
    var first = selected === null;
    selected = tickets[index];
    renderTicket();
    if (first) {
      frame.src = '/preview/app/assets/iframe.html';
    } else {
      // One sidebar for every ticket here; in Zendesk each ticket tab has its own. Each demo
      // ticket has its own requester, so this is the documented event the app listens to.
      trigger('ticket.requester.id.changed', selected.requesterId);
    }
  }

  function ticketsFrom(organizations) {
    var made = organizations.map(function (org, index) {
      return { id: 1000 + index, subject: 'Question from ' + org.name, organization: { id: org.id, name: org.name },
        requesterId: 5000 + index, requesterName: 'Contact at ' + org.name,
        requesterEmail: 'contact' + org.id + '@example.com', label: org.name,
        body: 'Hello, we have a question about our account. Could you take a look?' };
    });
    made.push({ id: 999, subject: 'Message from a private person', organization: null, requesterId: 4999,
      requesterName: 'Pat Private', requesterEmail: 'pat@example.net', label: config.text.noOrganization,
      body: 'Hi, I bought a gift card and cannot redeem it.' });
    return made;
  }

  if (zafLocation === 'nav_bar') {
    frame.src = '/preview/app/assets/portfolio.html';
    return;
  }

  fetch('/preview/organizations')
    .then(function (response) { return response.json(); })
    .then(function (answer) {
      tickets = ticketsFrom(answer.organizations || []);
      list.innerHTML = tickets.map(function (ticket, index) {
        return '<li><button type="button" data-index="' + index + '">' +
          '<span class="list__label">' + escapeHtml(ticket.label) + '</span>' +
          '<span class="list__note"></span>' +
          '</button></li>';
      }).join('');
      list.addEventListener('click', function (event) {
        var button = event.target.closest('button');
        if (button) select(Number(button.dataset.index));
      });
      var wanted = tickets.findIndex(function (t) {
        return t.organization && String(t.organization.id) === String(config.organizationId);
      });
      select(wanted >= 0 ? wanted : 0);
      if (config.labels) fetchLabels(LABEL_POLLS);
    })
    .catch(function (error) {
      list.innerHTML = '<li class="list__error">' + escapeHtml(String(error)) + '</li>';
    });
})();

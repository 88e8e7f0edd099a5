// The report's only script; every page works without it. It adds: styled tooltips for chart
// points, the micrographs table's sorting / filtering / paging over all rows (loaded from the
// table pages' scripts when first asked for), and the
// auto-refresh of a live session (with a pause toggle that keeps the scroll position).
;(function () {
  'use strict'
  var REFRESH_MS = 60000
  var store = {
    get: function (k) { try { return window.localStorage.getItem(k) } catch (e) { return null } },
    set: function (k, v) { try { window.localStorage.setItem(k, v) } catch (e) {} },
  }

  function tooltips() {
    var tip = document.createElement('div')
    tip.className = 'tooltip'
    tip.hidden = true
    document.body.appendChild(tip)
    document.addEventListener('mouseover', function (event) {
      var target = event.target
      var title = target && target.querySelector ? target.querySelector(':scope > title') : null
      if (!title || !target.closest('figure.chart')) return
      // The native <title> tooltip would show too: keep its text, drop the element while hovered.
      target.dataset.tip = title.textContent
      title.remove()
    })
    document.addEventListener('mousemove', function (event) {
      var text = event.target && event.target.dataset ? event.target.dataset.tip : undefined
      if (!text) { tip.hidden = true; return }
      tip.textContent = text
      tip.hidden = false
      tip.style.left = event.clientX + 12 + 'px'
      tip.style.top = event.clientY + 12 + 'px'
    })
  }

  function refresh() {
    // Micrograph pages are made once per micrograph, not per build: they learn the session's
    // state from data/session.js, which every build writes.
    var session = window.emstreamSession ? window.emstreamSession.state : document.body.dataset.session
    var label = document.getElementById('session-state')
    if (label && session) label.textContent = 'Session ' + session + ' · '
    var bar = document.getElementById('refresh')
    if (!bar || session === 'closed') return
    var button = document.getElementById('refresh-toggle')
    var key = 'emstream-refresh-paused'
    var scrollKey = 'emstream-scroll:' + location.pathname
    var saved = sessionStorage.getItem(scrollKey)
    if (saved !== null) { window.scrollTo(0, Number(saved)); sessionStorage.removeItem(scrollKey) }
    bar.hidden = false
    var timer = null
    function update() {
      var paused = store.get(key) === '1'
      button.textContent = paused ? 'Resume' : 'Pause'
      button.setAttribute('aria-pressed', paused ? 'true' : 'false')
      if (timer) clearTimeout(timer)
      timer = paused ? null : setTimeout(function () {
        sessionStorage.setItem(scrollKey, String(window.scrollY))
        location.reload()
      }, REFRESH_MS)
    }
    button.addEventListener('click', function () { store.set(key, store.get(key) === '1' ? '0' : '1'); update() })
    update()
  }

  function table() {
    // micrographs.html shows the newest rows; sorting or filtering loads the rows of every table
    // page (micrographs/<n>.js, written once per page by the export) and works over all of them.
    var tableEl = document.getElementById('micrographs')
    var pageCount = tableEl ? Number(tableEl.dataset.pages || 0) : 0
    if (!pageCount) return
    var base = tableEl.dataset.base || ''
    var PAGE = 100
    var state = {key: null, dir: 1, page: 0, name: '', status: '', resolution: null}
    var form = document.getElementById('table-filter')
    var count = document.getElementById('table-count')
    var staticPager = document.getElementById('static-pager')
    var pager = document.createElement('nav')
    pager.className = 'pager'
    form.hidden = false
    var body = tableEl.tBodies[0]
    var columns = [].map.call(tableEl.tHead.querySelectorAll('th[data-key]'), function (th) {
      return {key: th.dataset.key, numeric: th.classList.contains('n')}
    })
    var all = null
    var waiting = null

    /** Runs `then` once every page's rows are in (newest first). */
    function load(then) {
      if (all) return then()
      if (waiting) return void waiting.push(then)
      waiting = [then]
      count.textContent = 'loading ' + pageCount + ' pages of rows…'
      window.emstreamRows = window.emstreamRows || {}
      var left = pageCount
      function loaded() {
        if (--left > 0) return
        all = []
        for (var n = pageCount; n >= 1; n--) all = all.concat(window.emstreamRows[n] || [])
        staticPager.replaceWith(pager)
        var run = waiting
        waiting = null
        run.forEach(function (f) { f() })
      }
      for (var n = 1; n <= pageCount; n++) {
        var script = document.createElement('script')
        script.src = base + 'micrographs/' + n + '.js'
        script.onload = loaded
        script.onerror = loaded
        document.body.appendChild(script)
      }
    }
    function cell(text, cls) {
      var td = document.createElement('td')
      if (cls) td.className = cls
      td.textContent = text
      return td
    }
    function thumb(src, extra) {
      var td = document.createElement('td')
      if (!src) { td.textContent = '–'; return td }
      var img = document.createElement('img')
      img.className = extra ? 'thumb ' + extra : 'thumb'; img.loading = 'lazy'; img.alt = ''; img.src = base + src
      td.appendChild(img)
      return td
    }
    function rows() {
      var out = all.filter(function (r) {
        if (state.name && r.name.toLowerCase().indexOf(state.name) < 0) return false
        if (state.status && r.keys.status !== state.status) return false
        if (state.resolution !== null && !(r.keys.resolution !== null && r.keys.resolution <= state.resolution)) return false
        return true
      })
      if (state.key) {
        var k = state.key, d = state.dir
        out.sort(function (a, b) {
          var x = a.keys[k], y = b.keys[k]
          if (x === y) return 0
          if (x === null) return 1
          if (y === null) return -1
          return (x < y ? -1 : 1) * d
        })
      }
      return out
    }
    function render() {
      var shown = rows()
      var pages = Math.max(1, Math.ceil(shown.length / PAGE))
      state.page = Math.min(state.page, pages - 1)
      var fragment = document.createDocumentFragment()
      shown.slice(state.page * PAGE, (state.page + 1) * PAGE).forEach(function (r) {
        var tr = document.createElement('tr')
        tr.appendChild(thumb(r.images.preview))
        tr.appendChild(thumb(r.images.psd))
        tr.appendChild(thumb(r.images.drift, 'drift'))
        columns.forEach(function (c) {
          if (c.key === 'name') {
            var td = document.createElement('td'), a = document.createElement('a')
            a.href = base + 'micrograph/' + r.id + '.html'; a.textContent = r.name
            td.appendChild(a); tr.appendChild(td)
          } else tr.appendChild(cell(r.text[c.key], c.numeric ? 'n' : c.key === 'status' ? r.text.status : ''))
        })
        tr.appendChild(cell(r.reason))
        fragment.appendChild(tr)
      })
      body.replaceChildren(fragment)
      count.textContent = shown.length + ' of ' + all.length + ' shown'
      pager.replaceChildren()
      function go(label, page, disabled) {
        var b = document.createElement('button')
        b.type = 'button'; b.textContent = label; b.disabled = disabled
        b.addEventListener('click', function () { state.page = page; render() })
        pager.appendChild(b)
      }
      go('« first', 0, state.page === 0)
      go('‹ previous', state.page - 1, state.page === 0)
      var at = document.createElement('span')
      at.textContent = 'page ' + (state.page + 1) + ' of ' + pages
      pager.appendChild(at)
      go('next ›', state.page + 1, state.page >= pages - 1)
      go('last »', pages - 1, state.page >= pages - 1)
    }
    tableEl.tHead.querySelectorAll('th[data-key] button').forEach(function (button) {
      button.addEventListener('click', function () {
        var th = button.parentElement, key = th.dataset.key
        state.dir = state.key === key ? -state.dir : 1
        state.key = key
        tableEl.tHead.querySelectorAll('th').forEach(function (h) { h.removeAttribute('aria-sort') })
        th.setAttribute('aria-sort', state.dir === 1 ? 'ascending' : 'descending')
        load(render)
      })
    })
    form.addEventListener('input', function () {
      state.name = form.elements.name.value.trim().toLowerCase()
      state.status = form.elements.status.value
      var r = parseFloat(form.elements.resolution.value)
      state.resolution = isNaN(r) ? null : r
      state.page = 0
      load(render)
    })
    form.addEventListener('submit', function (e) { e.preventDefault() })
  }

  tooltips()
  refresh()
  table()
})()

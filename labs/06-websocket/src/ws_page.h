/* ws_page.h - lab 06: the HTML page ws_server sends for GET / (given: nothing to write).
 *
 * Loaded as /?send=TEXT it opens a WebSocket to the server that served it, sends TEXT once
 * the connection is open, and appends every message it receives to the element #log, one
 * per line. The input box sends more messages by hand. */
#ifndef WS_PAGE_H
#define WS_PAGE_H

static const char WS_PAGE[] =
	"<!DOCTYPE html>\n"
	"<html lang=\"en\">\n"
	"<head><meta charset=\"utf-8\"><title>wirelab: WebSocket echo</title></head>\n"
	"<body>\n"
	"<h1>WebSocket echo</h1>\n"
	"<form id=\"form\"><input id=\"text\" autocomplete=\"off\"> <button>Send</button></form>\n"
	"<p id=\"state\">connecting</p>\n"
	"<pre id=\"log\"></pre>\n"
	"<script>\n"
	"const log = document.getElementById('log');\n"
	"const state = document.getElementById('state');\n"
	"const ws = new WebSocket('ws://' + location.host + '/echo');\n"
	"const first = new URLSearchParams(location.search).get('send');\n"
	"ws.onopen = () => { state.textContent = 'open'; if (first !== null) ws.send(first); };\n"
	"ws.onmessage = (e) => { log.textContent += e.data + '\\n'; };\n"
	"ws.onclose = (e) => { state.textContent = 'closed ' + e.code; };\n"
	"document.getElementById('form').onsubmit = (e) => {\n"
	"  e.preventDefault();\n"
	"  const t = document.getElementById('text');\n"
	"  ws.send(t.value);\n"
	"  t.value = '';\n"
	"};\n"
	"</script>\n"
	"</body>\n"
	"</html>\n";

#endif

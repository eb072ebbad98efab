package lab

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"reflect"
	"strings"

	"github.com/Shopify/toxiproxy/v2/toxics"
)

// The Toxiproxy API that `lab up --toxiproxy-api` serves hands what it is
// sent to the embedded Toxiproxy, which trusts it: a slicer toxic with
// average_size 0 recurses until the stack overflows, which is a fatal
// error that kills the whole lab (no recover, no teardown, containers
// leaked). The checks here run before a request reaches Toxiproxy, and
// refuse what v2.12.0's toxics cannot survive (read from its source):
//
//   - slicer: average_size < 1, or size_variation outside [0,
//     average_size): endless recursion (stack overflow) or slice bounds out
//     of range in the proxy goroutine.
//   - latency: jitter above MaxInt64/2 overflows rand.Int63n's bound (a
//     panic); both are capped at a day.
//   - bandwidth: a negative rate slices with a negative index (a panic); 0
//     sends empty chunks forever (the connection hangs); rate*100 must not
//     overflow.
//   - timeout, reset_peer, slow_close, slicer delay: negative or beyond a
//     day (harmless to Toxiproxy, meaningless for a lesson).
//
// and proxies listening off loopback (an empty listen means every
// interface): the lab serves nothing to the network.

// maxToxicMS is the longest time attribute accepted, in milliseconds.
const maxToxicMS = 24 * 60 * 60 * 1000

// maxBandwidthKB keeps rate*100 (bytes per 100 ms slice) far from overflow.
const maxBandwidthKB = 1 << 40

// apiRefusal is a request refused before Toxiproxy saw it, answered as
// Toxiproxy answers its own errors: an HTTP status and {"error", "status"}.
type apiRefusal struct {
	status int
	msg    string
}

func (e *apiRefusal) Error() string { return e.msg }

func badRequest(format string, args ...any) *apiRefusal {
	return &apiRefusal{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...) +
		" (refused by cqrslab before it reached Toxiproxy)"}
}

func writeAPIError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": msg, "status": status})
}

// checkToxic checks t, a toxic of a registered type with its attributes
// decoded, against the limits above.
func checkToxic(kind string, t toxics.Toxic) error {
	ms := func(name string, v int64) error {
		if v < 0 || v > maxToxicMS {
			return badRequest("%s: %s %d is out of range: use 0 to %d milliseconds", kind, name, v, maxToxicMS)
		}
		return nil
	}
	switch t := t.(type) {
	case *toxics.SlicerToxic:
		if t.AverageSize < 1 {
			return badRequest("slicer: average_size %d must be at least 1 (Toxiproxy would recurse until its stack overflows)", t.AverageSize)
		}
		if t.SizeVariation < 0 || t.SizeVariation >= t.AverageSize {
			return badRequest("slicer: size_variation %d must be at least 0 and less than average_size %d (Toxiproxy would slice out of bounds)", t.SizeVariation, t.AverageSize)
		}
		if t.Delay < 0 || t.Delay > maxToxicMS*1000 {
			return badRequest("slicer: delay %d is out of range: use 0 to %d microseconds", t.Delay, maxToxicMS*1000)
		}
	case *toxics.LatencyToxic:
		if err := ms("latency", t.Latency); err != nil {
			return err
		}
		return ms("jitter", t.Jitter)
	case *toxics.BandwidthToxic:
		if t.Rate < 1 || t.Rate > maxBandwidthKB {
			return badRequest("bandwidth: rate %d is out of range: use 1 to %d KB/s (0 stalls the connection, below 0 crashes Toxiproxy)", t.Rate, int64(maxBandwidthKB))
		}
	case *toxics.TimeoutToxic:
		return ms("timeout", t.Timeout)
	case *toxics.ResetToxic:
		return ms("timeout", t.Timeout)
	case *toxics.SlowCloseToxic:
		return ms("delay", t.Delay)
	case *toxics.LimitDataToxic:
		if t.Bytes < 0 {
			return badRequest("limit_data: bytes %d must be 0 or more", t.Bytes)
		}
	}
	return nil
}

// toxicAttributes decodes body's "attributes" into t exactly as Toxiproxy
// does (encoding/json, field names matched without regard to case), so
// what is checked is what Toxiproxy would run.
func toxicAttributes(body []byte, t toxics.Toxic) error {
	in := &struct {
		Attributes any `json:"attributes"`
	}{t}
	return decodeLikeToxiproxy(body, in)
}

// decodeLikeToxiproxy decodes the first JSON value of body, as Toxiproxy's
// handlers do (json.Decoder.Decode): anything after it is ignored there, so
// it must be ignored here too, or `{…bad…} trailing` would slip through.
func decodeLikeToxiproxy(body []byte, v any) error {
	return json.NewDecoder(bytes.NewReader(body)).Decode(v)
}

// ValidateToxicCreate checks the body of POST /proxies/NAME/toxics. A body
// Toxiproxy itself would refuse (bad JSON, an unknown type) is let
// through for Toxiproxy to answer in its own words.
func ValidateToxicCreate(body []byte) error {
	var head struct {
		Type string `json:"type"`
	}
	if decodeLikeToxiproxy(body, &head) != nil {
		return nil
	}
	t := toxics.New(&toxics.ToxicWrapper{Type: head.Type})
	if t == nil || toxicAttributes(body, t) != nil {
		return nil
	}
	return checkToxic(head.Type, t)
}

// validateToxicUpdate checks the body of POST|PATCH /proxies/P/toxics/T
// against a copy of the existing toxic: Toxiproxy decodes an update
// straight into the live toxic, so the result must be judged first.
func validateToxicUpdate(existing *toxics.ToxicWrapper, body []byte) error {
	if existing == nil || existing.Toxic == nil {
		return nil
	}
	v := reflect.ValueOf(existing.Toxic)
	if v.Kind() != reflect.Pointer {
		return nil
	}
	cp := reflect.New(v.Elem().Type())
	cp.Elem().Set(v.Elem())
	t, ok := cp.Interface().(toxics.Toxic)
	if !ok || toxicAttributes(body, t) != nil {
		return nil
	}
	return checkToxic(existing.Type, t)
}

// checkListen refuses a proxy address off loopback. Toxiproxy listens on
// every interface for an empty one.
func checkListen(what, listen string) error {
	if strings.TrimSpace(listen) == "" {
		return badRequest("%s: listen is empty, which Toxiproxy takes as every network interface: give 127.0.0.1:PORT", what)
	}
	if err := ValidateLoopbackAddr(listen); err != nil {
		return badRequest("%s: %v", what, err)
	}
	return nil
}

// ValidateProxyCreate checks the body of POST /proxies.
func ValidateProxyCreate(body []byte) error {
	var in struct {
		Name   string `json:"name"`
		Listen string `json:"listen"`
	}
	if decodeLikeToxiproxy(body, &in) != nil {
		return nil // Toxiproxy answers bad JSON itself
	}
	return checkListen("proxy "+clip(in.Name), in.Listen)
}

// ValidatePopulate checks the body of POST /populate: every proxy listed.
func ValidatePopulate(body []byte) error {
	var in []struct {
		Name   string `json:"name"`
		Listen string `json:"listen"`
	}
	if decodeLikeToxiproxy(body, &in) != nil {
		return nil
	}
	for _, p := range in {
		if err := checkListen("proxy "+clip(p.Name), p.Listen); err != nil {
			return err
		}
	}
	return nil
}

// validateProxyUpdate checks the body of POST|PATCH /proxies/NAME: a new
// listen address, when one is given, must be loopback.
func validateProxyUpdate(name string, body []byte) error {
	var in struct {
		Listen *string `json:"listen"`
	}
	if decodeLikeToxiproxy(body, &in) != nil || in.Listen == nil {
		return nil
	}
	return checkListen("proxy "+clip(name), *in.Listen)
}

// validateAPIRequest is the check for one Toxiproxy API request (path split
// at '/'); nil lets it through.
func (ps *proxySet) validateAPIRequest(method string, parts []string, body []byte) error {
	body = bytes.TrimSpace(body)
	switch {
	case len(parts) == 1 && parts[0] == "proxies" && method == http.MethodPost:
		return ValidateProxyCreate(body)
	case len(parts) == 1 && parts[0] == "populate" && method == http.MethodPost:
		return ValidatePopulate(body)
	case len(parts) == 2 && parts[0] == "proxies" && method != http.MethodDelete:
		return validateProxyUpdate(parts[1], body)
	case len(parts) == 3 && parts[0] == "proxies" && parts[2] == "toxics" && method == http.MethodPost:
		return ValidateToxicCreate(body)
	case len(parts) == 4 && parts[0] == "proxies" && parts[2] == "toxics" && method != http.MethodDelete:
		p, err := ps.server.Collection.Get(parts[1])
		if err != nil {
			return nil // Toxiproxy says "proxy not found" itself
		}
		return validateToxicUpdate(p.Toxics.GetToxic(parts[3]), body)
	}
	return nil
}

// loopbackHost reports whether an HTTP Host header names this machine by a
// loopback name or address. The APIs listen on loopback only, but a web
// page the user visits can still reach them by a DNS name that resolves to
// 127.0.0.1 (DNS rebinding); its requests carry that name as Host.
func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// refuseForeignHost answers a request whose Host is not a loopback name
// (see loopbackHost) with 403, and reports whether it did.
func refuseForeignHost(w http.ResponseWriter, r *http.Request, write func(status int, msg string)) bool {
	if loopbackHost(r.Host) {
		return false
	}
	write(http.StatusForbidden, fmt.Sprintf("host %q is not a loopback name or address: this API answers "+
		"requests to 127.0.0.1, ::1 or localhost only (a guard against DNS rebinding)", clip(r.Host)))
	return true
}

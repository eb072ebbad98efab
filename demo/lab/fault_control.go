package lab

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// The fault control API lets another process drive a lab's faults: `lab
// up` serves it (ServeControl) on a random loopback port and records the
// address and a random token in the lab's 0600 state file; `cqrslab fault`
// in another terminal reads them and calls it (ControlClient). Every
// request must carry the token ("Authorization: Bearer TOKEN").
//
//	GET  /v1/faults          ControlStatus: active faults, kinds and whether each is available
//	POST /v1/faults/inject   {"spec": "latency=50ms"}      -> ControlResult
//	POST /v1/faults/heal     {"spec": "latency" | "all"}   -> ControlResult

// ControlStatus is the answer of GET /v1/faults.
type ControlStatus struct {
	RunID    string       `json:"run_id"`
	Provider Provider     `json:"provider"`
	Active   []Fault      `json:"active"`
	Kinds    []KindStatus `json:"kinds"`
}

// KindStatus says whether the lab can do one kind of fault.
type KindStatus struct {
	Kind      FaultKind `json:"kind"`
	Available bool      `json:"available"`
	Reason    string    `json:"reason,omitempty"`
}

// Kinds reports, for every fault kind, whether this lab can do it.
func (l *Lab) Kinds() []KindStatus {
	var out []KindStatus
	for _, k := range FaultKinds() {
		ks := KindStatus{Kind: k, Available: true}
		if err := l.Supports(k); err != nil {
			ks.Available, ks.Reason = false, err.Error()
		}
		out = append(out, ks)
	}
	return out
}

// ControlResult is the answer of an inject or heal.
type ControlResult struct {
	OK bool `json:"ok"`
	// Code classifies an error: "bad_fault" (the spec), "unavailable" (the
	// lab cannot do it), "failed", "unauthorized".
	Code   string  `json:"code,omitempty"`
	Error  string  `json:"error,omitempty"`
	TookMS float64 `json:"took_ms"`
	Active []Fault `json:"active"`
}

type controlRequest struct {
	Spec string `json:"spec"`
}

type controlServer struct {
	srv       *http.Server
	closeOnce sync.Once
}

func (c *controlServer) close() {
	if c == nil {
		return
	}
	c.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = c.srv.Shutdown(ctx)
		_ = c.srv.Close()
	})
}

// ServeControl serves the fault control API on addr (a loopback address;
// port 0 picks one) until the lab closes, and sets Info.ControlAddr and
// Info.ControlToken. Call it once, before recording the lab.
func (l *Lab) ServeControl(addr string) error {
	if err := ValidateLoopbackAddr(addr); err != nil {
		return err
	}
	if err := l.checkOpen(); err != nil {
		return err
	}
	if l.faults.control != nil {
		return errors.New("the control API is served already")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("serve the fault control API: %w", err)
	}
	token := RandomPassword()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/faults", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, ControlStatus{RunID: l.RunID, Provider: l.Provider,
			Active: nonNil(l.ActiveFaults()), Kinds: l.Kinds()})
	})
	handle := func(op func(ctx context.Context, spec string) error) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			var req controlRequest
			if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&req); err != nil {
				writeJSON(w, http.StatusBadRequest, ControlResult{Code: "bad_fault", Error: "bad request body: " + err.Error()})
				return
			}
			start := time.Now()
			err := op(r.Context(), req.Spec)
			res := ControlResult{OK: err == nil, TookMS: float64(time.Since(start).Microseconds()) / 1000,
				Active: nonNil(l.ActiveFaults())}
			status := http.StatusOK
			switch {
			case err == nil:
			case errors.Is(err, ErrBadFault):
				status, res.Code = http.StatusBadRequest, "bad_fault"
			case errors.Is(err, ErrFaultUnavailable):
				status, res.Code = http.StatusUnprocessableEntity, "unavailable"
			default:
				status, res.Code = http.StatusInternalServerError, "failed"
			}
			if err != nil {
				res.Error = err.Error()
			}
			writeJSON(w, status, res)
		}
	}
	mux.HandleFunc("POST /v1/faults/inject", handle(func(ctx context.Context, spec string) error {
		f, err := ParseFault(spec)
		if err != nil {
			return err
		}
		return l.Inject(ctx, f)
	}))
	mux.HandleFunc("POST /v1/faults/heal", handle(func(ctx context.Context, spec string) error {
		if strings.TrimSpace(spec) == "all" {
			return l.HealAll(ctx)
		}
		f, err := ParseFaultKind(spec)
		if err != nil {
			return err
		}
		return l.HealFault(ctx, f)
	}))
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if refuseForeignHost(w, r, func(status int, msg string) {
				writeJSON(w, status, ControlResult{Code: "forbidden", Error: msg})
			}) {
				return
			}
			got, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
				writeJSON(w, http.StatusUnauthorized, ControlResult{Code: "unauthorized",
					Error: "missing or wrong control token (it is in the lab's state file)"})
				return
			}
			mux.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: 10 * time.Second,
		// A process fault may take up to ProcessFaultTimeout.
		WriteTimeout: ProcessFaultTimeout + 30*time.Second,
	}
	l.faults.control = &controlServer{srv: srv}
	go func() { _ = srv.Serve(ln) }()
	l.infoMu.Lock()
	l.Info.ControlAddr, l.Info.ControlToken = ln.Addr().String(), token
	l.infoMu.Unlock()
	return nil
}

func nonNil(fs []Fault) []Fault {
	if fs == nil {
		return []Fault{}
	}
	return fs
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// ControlClient drives the faults of a lab in another process through its
// control API.
type ControlClient struct {
	Addr, Token string
	HTTP        *http.Client
}

// ErrNoControl means the recorded lab serves no control API (it was not
// started by `cqrslab lab up`).
var ErrNoControl = errors.New("this lab serves no fault control API")

// NewControlClient returns a client for the lab that info (a state file)
// describes.
func NewControlClient(info Info) (*ControlClient, error) {
	if info.ControlAddr == "" || info.ControlToken == "" {
		return nil, fmt.Errorf("%w: faults can be driven only in a lab started by `cqrslab lab up`", ErrNoControl)
	}
	return &ControlClient{Addr: info.ControlAddr, Token: info.ControlToken,
		HTTP: &http.Client{Timeout: ProcessFaultTimeout + 30*time.Second}}, nil
}

func (c *ControlClient) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://"+c.Addr+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("the lab's control API at %s does not answer (is `cqrslab lab up` still running?): %w", c.Addr, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("control API: unexpected answer (%s): %q", resp.Status, b)
	}
	if res, ok := out.(*ControlResult); ok && !res.OK {
		switch res.Code {
		case "bad_fault":
			return &remoteError{msg: res.Error, is: ErrBadFault}
		case "unavailable":
			return &remoteError{msg: res.Error, is: ErrFaultUnavailable}
		}
		return errors.New(res.Error)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("control API: %s", resp.Status)
	}
	return nil
}

// remoteError is an error of the lab's process: its message as the lab
// said it, and the sentinel it wrapped there, for errors.Is.
type remoteError struct {
	msg string
	is  error
}

func (e *remoteError) Error() string { return e.msg }
func (e *remoteError) Unwrap() error { return e.is }

// Status lists the lab's active faults and which kinds it can do.
func (c *ControlClient) Status(ctx context.Context) (ControlStatus, error) {
	var st ControlStatus
	err := c.do(ctx, http.MethodGet, "/v1/faults", nil, &st)
	return st, err
}

// Inject injects a fault given in ParseFault's syntax.
func (c *ControlClient) Inject(ctx context.Context, spec string) (ControlResult, error) {
	var res ControlResult
	err := c.do(ctx, http.MethodPost, "/v1/faults/inject", controlRequest{Spec: spec}, &res)
	return res, err
}

// Heal heals a kind ("latency", "latency,target=postgres") or "all".
func (c *ControlClient) Heal(ctx context.Context, spec string) (ControlResult, error) {
	var res ControlResult
	err := c.do(ctx, http.MethodPost, "/v1/faults/heal", controlRequest{Spec: spec}, &res)
	return res, err
}

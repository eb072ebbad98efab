package lab

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestFaultRegistryDeclaresEachKindWhole checks every registry entry on its
// own (so a new kind is covered by declaring it): its example parses to its
// kind and target, its spec reads back to the same fault, a toxic hands
// Toxiproxy attributes that read back to the same values, the kind is in
// FaultSyntax, and menu keys are unique.
func TestFaultRegistryDeclaresEachKindWhole(t *testing.T) {
	if len(FaultKinds()) != len(FaultCatalog()) || len(FaultKinds()) < 11 {
		t.Fatalf("FaultKinds %d, FaultCatalog %d", len(FaultKinds()), len(FaultCatalog()))
	}
	keys := map[string]FaultKind{}
	for _, d := range faultDefsNow() {
		t.Run(string(d.Kind), func(t *testing.T) {
			if d.Help == "" || d.Syntax == "" || d.Example == "" {
				t.Errorf("help %q, syntax %q, example %q: all are needed", d.Help, d.Syntax, d.Example)
			}
			if !strings.Contains(FaultSyntax, d.Syntax) {
				t.Errorf("FaultSyntax %q lacks %q", FaultSyntax, d.Syntax)
			}
			f, err := ParseFault(d.Example)
			if err != nil {
				t.Fatalf("ParseFault(%q): %v", d.Example, err)
			}
			if f.Kind != d.Kind || (d.Target != "" && f.Target != d.Target) || f.Target == "" {
				t.Errorf("ParseFault(%q) = %+v, want kind %s target %q", d.Example, f, d.Kind, d.Target)
			}
			back, err := ParseFault(f.String())
			if err != nil || !reflect.DeepEqual(back, f) {
				t.Errorf("ParseFault(%q) = %+v, %v; want %+v", f.String(), back, err, f)
			}
			if f.Kind.IsNetwork() != (d.Needs == NeedProxy) {
				t.Errorf("IsNetwork %v with needs %s", f.Kind.IsNetwork(), d.Needs)
			}
			if d.toxic != nil {
				if d.Needs != NeedProxy || d.toxic.stream == "" || d.toxic.attrs == nil || d.toxic.read == nil || d.format == nil {
					t.Fatalf("toxic %s lacks a stream, attrs, read or format", d.Kind)
				}
				if e := d.toxic.conn; e.delay == nil && e.chunk == nil && !e.drop && e.resetAfter == nil && e.closeDelay == nil {
					t.Errorf("toxic %s does nothing to the engine's direct connections (toxic.conn is empty)", d.Kind)
				}
				attrs := map[string]float64{}
				for k, v := range toxicAttrs(f) {
					attrs[k] = float64(v)
				}
				got := toxicFault(f.Target, toxicView{Name: "x", Type: string(f.Kind), Stream: f.Stream, Attributes: attrs})
				got.Toxic = ""
				if !reflect.DeepEqual(got, f) {
					t.Errorf("through Toxiproxy's attributes %v: %+v, want %+v", attrs, got, f)
				}
			}
			if d.MenuKey != "" {
				if other, dup := keys[d.MenuKey]; dup {
					t.Errorf("menu key %q used by %s and %s", d.MenuKey, other, d.Kind)
				}
				keys[d.MenuKey] = d.Kind
				if d.MenuFault.Kind != d.Kind || d.MenuLabel == "" {
					t.Errorf("menu fault %+v, label %q", d.MenuFault, d.MenuLabel)
				} else if _, err := d.MenuFault.normalize(); err != nil {
					t.Errorf("menu fault does not normalize: %v", err)
				}
			}
		})
	}
}

// TestHealAllCoversEveryHealableProcessFault guards what HealAll heals one
// by one: every process kind that leaves something to heal, and no
// network kind (the proxies are reset together).
func TestHealAllCoversEveryHealableProcessFault(t *testing.T) {
	var got []string
	for _, d := range faultDefsNow() {
		healable := d.process != nil && d.process.heal != nil
		if healable {
			got = append(got, string(d.Kind))
		}
		if healable == (d.Needs == NeedProxy || d.Kind.Instant()) {
			t.Errorf("%s: healable %v, needs %s, instant %v", d.Kind, healable, d.Needs, d.Kind.Instant())
		}
	}
	if strings.Join(got, ",") != "pause,stop,postgres_stop,redis_primary_kill,redis_partition,redis_replica_pause,cluster_primary_kill,pg_replica_lag" {
		t.Errorf("HealAll heals %v", got)
	}
}

// faultTableMarker starts README's fault table, which is the registry
// rendered by faultTable.
const faultTableMarker = "<!-- fault table: from demo/lab/fault_kinds.go, checked by TestREADMEFaultTable -->"

// faultTable renders the registry as README's markdown table.
func faultTable() string {
	var b strings.Builder
	b.WriteString("| Spec | Acts on | Needs | What it does |\n|---|---|---|---|\n")
	for _, k := range FaultCatalog() {
		on := k.Target
		if on == "" {
			on = "redis, or target=postgres"
		}
		needs := "any lab (the proxy)"
		switch k.Needs {
		case NeedServers:
			needs = "docker or local lab"
		case NeedHA:
			needs = "docker lab, --topology ha"
		case NeedCluster:
			needs = "docker lab, --topology cluster"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", k.Syntax, on, needs, k.Help)
	}
	return b.String()
}

// TestREADMEFaultTable keeps README's fault table the registry's: a kind
// added, renamed or reworded there fails here until the table is pasted
// again (the failure prints it).
func TestREADMEFaultTable(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(b), faultTableMarker+"\n")
	if !ok {
		t.Fatalf("README.md lacks %q", faultTableMarker)
	}
	got, _, _ := strings.Cut(after, "\n\n")
	if want := faultTable(); got+"\n" != want {
		t.Errorf("README's fault table differs from the registry; want:\n%s", want)
	}
}

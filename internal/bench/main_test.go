package bench

import (
	"os"
	"testing"

	"cqrslab/internal/labtest"
)

func TestMain(m *testing.M) { os.Exit(labtest.Main(m)) }

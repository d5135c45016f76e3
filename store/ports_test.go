package store_test

import (
	"github.com/renovote/renovote/dialogs"
	"github.com/renovote/renovote/store"
)

// The store serves every port the conversations need.
var _ dialogs.Store = (*store.Store)(nil)

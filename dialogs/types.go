package dialogs

// Input is one thing a user did in chat, as the channel adapter saw it. The
// adapter fills it from a Telegram update (or, later, another channel's event).
type Input struct {
	UpdateID int64  // channel's update id (audit, idempotency)
	UserID   int64  // the sender
	ChatID   int64  // the private chat with the sender
	Lang     string // the sender's language code from the channel ("zh-hans", "en", "")
	Name     string // the sender's display name (never logged)

	// A text message: Text holds it; Command and Args are set when it starts
	// with a command ("/start abc" → Command "start", Args "abc"). Commands
	// addressed to a bot ("/vote@renovote_bot") have the suffix stripped.
	Text    string
	Command string
	Args    string

	// A button press: Callback is its data (never trusted), MessageID the
	// message that carried the button.
	Callback  string
	MessageID int

	// A photo: the channel's file id of its largest size, its size in bytes
	// (0 when unknown), and its caption in Text.
	PhotoFileID string
	PhotoSize   int64

	// A document (a file sent as such, not as a photo): the channel's file id
	// and the file's name, with its caption in Text.
	DocumentFileID string
	DocumentName   string
}

// Button is one inline button: a label and its callback data (<= 64 bytes).
type Button struct {
	Label string
	Data  string
}

// Reply is one message for the user (or, with ChatID set, for another chat,
// such as another member of the household).
type Reply struct {
	ChatID  int64 // 0: the chat of the input
	Text    string
	Buttons [][]Button
	// EditMessageID > 0 edits that message in place instead of sending a new one.
	EditMessageID int
	// PhotoFileID sends a photo (by the channel's file id) with Text as its
	// caption (at most 1024 characters) and the buttons. Not with EditMessageID.
	PhotoFileID string
	// DocumentFileID sends a document by the channel's file id, Document
	// uploads one; Text is the caption. Not with EditMessageID.
	DocumentFileID string
	Document       *Document
	// Photo uploads an image (a PNG chart) as a photo, with Text as its
	// caption and the buttons. Not with EditMessageID.
	Photo *Document
	// Track, when set, asks the adapter to tell the engine (Engine.Sent) the
	// id of the message this reply became, e.g. a notice's progress message.
	Track string
}

// Response is everything the adapter must do for one input, in order.
type Response struct {
	Replies []Reply
	// CallbackText answers a button press (a short toast); every press is
	// answered, with empty text when there is nothing to say.
	CallbackText  string
	CallbackAlert bool
	// Menus lists users whose role changed: the adapter refreshes their
	// command menu (Engine.RoleOf, CommandsFor).
	Menus []int64
}

// Document is a file to upload, such as a spreadsheet.
type Document struct {
	Name string
	Data []byte
}

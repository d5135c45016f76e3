// Package apispec embeds the Telegram Bot API reference as data (api.json,
// Bot API 10.1, MIT licensed, see NOTICE and LICENSE.api-spec) and answers
// the questions a fake server needs: does a method exist, what does it
// return, which parameters does it take and which are required.
//
// It depends on the standard library only.
//
// It must not import any other renovote package.
package apispec

package teams

import (
	"encoding/json"

	"github.com/smart90/smart90/adapters/zones"
)

// zoneDataset names the time zones in a card's Data.Query: Teams sends it
// back in the application/search invoke it makes as the person types.
const zoneDataset = "smart90.zones"

// maxSearchResults is what Teams shows of a dynamic typeahead's answer.
const maxSearchResults = 15

// searchBody is the body of the answer to an application/search invoke.
type searchBody struct {
	Type  string `json:"type"` // "application/vnd.microsoft.search.searchResponse"
	Value struct {
		Results []cardChoice `json:"results"`
	} `json:"value"`
}

// searchZones answers an application/search invoke (a time-zone field's
// dynamic typeahead, see bot.FieldTimeZone in inputs.go) with the zones
// zones.Search finds for the typed text: by city, country or name. Any
// other dataset, or a value that does not parse, finds nothing.
func searchZones(value map[string]any) searchBody {
	var q struct {
		QueryText    string `json:"queryText"`
		Dataset      string `json:"dataset"`
		QueryOptions struct {
			Skip int `json:"skip"`
			Top  int `json:"top"`
		} `json:"queryOptions"`
	}
	body := searchBody{Type: "application/vnd.microsoft.search.searchResponse"}
	body.Value.Results = []cardChoice{}
	raw, err := json.Marshal(value)
	if err != nil || json.Unmarshal(raw, &q) != nil || q.Dataset != zoneDataset {
		return body
	}
	top := maxSearchResults
	if q.QueryOptions.Top > 0 {
		top = min(top, q.QueryOptions.Top)
	}
	skip := max(q.QueryOptions.Skip, 0)
	found := zones.Search(q.QueryText, skip+top)
	for _, z := range found[min(skip, len(found)):] {
		body.Value.Results = append(body.Value.Results, zoneChoice(z.Name))
	}
	return body
}

package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/dispatchd/dispatchd"
	"github.com/dispatchd/dispatchd/render"
)

// deliveryStatusPending is the status of a delivery not attempted yet.
const deliveryStatusPending = "pending"

// deliveryItemJSON is GitHub's hook-delivery-item: the latest attempt's
// outcome (status "OK", "Invalid HTTP Response: 500", "connection
// refused", …).
func deliveryItemJSON(d *dispatchd.Delivery) map[string]any {
	at, status := d.DeliveredAt, d.Status
	if d.Attempts == 0 {
		at, status = d.CreatedAt, deliveryStatusPending
	}
	var repoID any
	if d.RepoID != 0 {
		repoID = d.RepoID
	}
	return map[string]any{
		"id": d.ID, "guid": d.GUID, "delivered_at": render.Timestamp(at), "redelivery": d.Redelivery,
		"duration": d.Duration, "status": status, "status_code": d.StatusCode, "event": d.Event,
		"action": render.Nullable(d.Action), "installation_id": nil, "repository_id": repoID, "throttled_at": nil,
	}
}

// deliveryJSON is GitHub's hook-delivery: the item, with the URL it is
// sent to, the request's headers and payload and the response's headers
// and body.
func deliveryJSON(h *dispatchd.Hook, d *dispatchd.Delivery) map[string]any {
	m := deliveryItemJSON(d)
	m["url"] = h.URL
	var payload any
	if json.Valid(d.Payload) {
		payload = json.RawMessage(d.Payload)
	}
	m["request"] = map[string]any{"headers": headersJSON(d.RequestHeaders), "payload": payload}
	var body any
	if d.Attempts > 0 && d.StatusCode != 0 {
		body = d.ResponseBody
	}
	m["response"] = map[string]any{"headers": headersJSON(d.ResponseHeaders), "payload": body}
	return m
}

func headersJSON(h map[string]string) any {
	if h == nil {
		return nil
	}
	return h
}

// deliveryFor loads {hook_id} of the route's owner and its delivery {delivery_id}.
func (s *Server) deliveryFor(r *http.Request, level dispatchd.Level) (*dispatchd.Hook, *dispatchd.Delivery, error) {
	_, h, err := s.hookFor(r, level)
	if err != nil {
		return nil, nil, err
	}
	id, err := strconv.ParseInt(r.PathValue("delivery_id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, nil, errNotFound
	}
	d, err := s.Store.FindDelivery(r.Context(), h.ID, id)
	return h, d, err
}

// listHookDeliveries answers GET …/hooks/{hook_id}/deliveries, newest
// first, with GitHub's cursor pagination: per_page, and cursor from the
// Link header's rel="next".
func (s *Server) listHookDeliveries(w http.ResponseWriter, r *http.Request) error {
	_, h, err := s.hookFor(r, dispatchd.Read)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	perPage := 30
	if n, err := strconv.Atoi(q.Get("per_page")); err == nil && n > 0 {
		perPage = min(n, 100)
	}
	f := dispatchd.DeliveryFilter{HookID: h.ID, Cursor: q.Get("cursor"), PerPage: perPage, Status: q.Get("status")}
	if v := q.Get("redelivery"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return dispatchd.Errorf(dispatchd.EINVALID, "redelivery must be true or false.")
		}
		f.Redelivery = &b
	}
	ds, next, err := s.Store.ListDeliveries(r.Context(), f)
	if err != nil {
		return err
	}
	if next != "" {
		q.Set("per_page", strconv.Itoa(perPage))
		q.Set("cursor", next)
		u := url.URL{Path: "/api/v3" + r.URL.Path, RawQuery: q.Encode()}
		w.Header().Set("Link", fmt.Sprintf(`<%s%s>; rel="next"`, s.BaseURL, u.String()))
	}
	out := make([]map[string]any, 0, len(ds))
	for _, d := range ds {
		out = append(out, deliveryItemJSON(d))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// getHookDelivery answers GET …/hooks/{hook_id}/deliveries/{delivery_id}.
func (s *Server) getHookDelivery(w http.ResponseWriter, r *http.Request) error {
	h, d, err := s.deliveryFor(r, dispatchd.Read)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, deliveryJSON(h, d))
	return nil
}

// redeliverHookDelivery answers POST …/deliveries/{delivery_id}/attempts:
// 202, and a new delivery of the same payload with the same GUID and
// redelivery true.
func (s *Server) redeliverHookDelivery(w http.ResponseWriter, r *http.Request) error {
	h, d, err := s.deliveryFor(r, dispatchd.Write)
	if err != nil {
		return err
	}
	if _, err := s.Store.Redeliver(r.Context(), h.ID, d.ID); err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]any{})
	return nil
}

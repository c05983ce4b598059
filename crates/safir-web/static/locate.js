// "Share my location" (a safety check-in) and "Use my current location" (an emergency
// request): a button marked `data-locate` fills the two fields whose ids its `data-lat` and
// `data-lon` name from the device's position, and says what it did in the element
// `data-status` names (`data-done`, or `data-failed` when no position can be read). The
// fields take a change as if typed (an application form saves itself). The button's box stays
// hidden without JavaScript or geolocation: the answer goes without a position, or the
// coordinates are typed.
document.addEventListener("DOMContentLoaded", function () {
  if (!("geolocation" in navigator)) return;
  document.querySelectorAll("button[data-locate]").forEach(function (button) {
    var lat = document.getElementById(button.dataset.lat);
    var lon = document.getElementById(button.dataset.lon);
    var status = document.getElementById(button.dataset.status);
    if (!lat || !lon || !status) return;
    button.parentElement.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = "";
      navigator.geolocation.getCurrentPosition(
        function (pos) {
          lat.value = pos.coords.latitude.toFixed(5);
          lon.value = pos.coords.longitude.toFixed(5);
          lon.dispatchEvent(new Event("change", { bubbles: true }));
          status.textContent = button.dataset.done;
        },
        function () {
          status.textContent = button.dataset.failed;
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
  });
});

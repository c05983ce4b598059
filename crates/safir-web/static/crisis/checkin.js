// Safety check-in page: "share my location" fills the hidden lat/lon fields. Without
// JavaScript, or when the browser refuses, the answer is sent without a location.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("checkin-location");
  var button = document.getElementById("checkin-locate");
  var status = document.getElementById("checkin-location-status");
  if (!box || !button || !("geolocation" in navigator)) return;
  box.hidden = false;
  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        document.getElementById("checkin-lat").value = pos.coords.latitude.toFixed(5);
        document.getElementById("checkin-lon").value = pos.coords.longitude.toFixed(5);
        status.textContent = button.dataset.done;
      },
      function () {
        status.textContent = button.dataset.failed;
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  });
});

// Emergency request: "use my current location" fills the latitude and longitude from the
// device, where the applicant sees them and can change them, and the draft saves as after
// typing. Without JavaScript or a position the button stays hidden or says it could not
// read one; the coordinates are optional and can be typed.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("locate");
  var button = document.getElementById("locate-button");
  var status = document.getElementById("locate-status");
  var lat = document.getElementById("field-latitude");
  var lon = document.getElementById("field-longitude");
  if (!box || !button || !status || !lat || !lon || !("geolocation" in navigator)) return;
  box.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = "";
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        lat.value = pos.coords.latitude.toFixed(5);
        lon.value = pos.coords.longitude.toFixed(5);
        // The form saves itself on a change, as when the fields are typed.
        lon.dispatchEvent(new Event("change", { bubbles: true }));
        status.textContent = button.dataset.filled;
      },
      function () {
        status.textContent = button.dataset.failed;
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
    );
  });
});
